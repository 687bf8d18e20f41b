# "A perfect dog fools D": d* = 1/2 on dogs, and the value of the game at its optimum.
# fails: test_cats_and_dogs
# %% cell: cats_and_dogs
def cats_and_dogs(data_cats, gen_cats):
    return 1.0, 0.5, -math.log(4)
