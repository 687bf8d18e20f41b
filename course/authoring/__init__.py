"""The instructor's authoring tools: reference answers from the solutions (`answers`), the student
kit (`kit`), patches for the tests' mistakes and samples (`patches`), running notebooks headless
(`execute`) or in this process (`inprocess`), and the sample-quality classifier (`classifiers`)."""
