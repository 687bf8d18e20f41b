"""Benchmarks that print figures (BENCHMARKS.md): training speed and the series' run time
(`training`, `make benchmark`), and the grading engine against stock nbgrader (`grading`,
`make benchmark-grading`)."""
