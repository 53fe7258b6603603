"""Cases in the console: who holds a case, opening it, acting on it, listing it."""
