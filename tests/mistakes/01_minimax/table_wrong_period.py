# The widely copied table: a period misread, and the claim that the updates get to the optimum.
# Both answers are wrong, and the reason names both.
# fails: test_table
# says: test_table: RETURNS_AFTER = 4 | REACHES_OPTIMUM = True
# %% cell: table_answers
RETURNS_AFTER = 4
REACHES_OPTIMUM = True
