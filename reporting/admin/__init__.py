"""The administrator's work: users, queues, routing rules, screening lists, retention."""
