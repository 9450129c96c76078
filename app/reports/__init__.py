"""Documents rendered for people rather than programs: the printable annual report."""
