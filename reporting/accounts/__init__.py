"""Console accounts: enrolment, sign-in, passwords."""
