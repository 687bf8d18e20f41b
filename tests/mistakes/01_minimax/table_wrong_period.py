# The widely copied table: a period misread, and the claim that the updates get to the optimum.
# fails: test_table
# %% cell: table_answers
RETURNS_AFTER = 4
REACHES_OPTIMUM = True
