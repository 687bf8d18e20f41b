# The right singular vector v returned where the left one, u, belongs.
# fails: test_power_iteration, test_power_iteration_converges
# %% cell: power_iteration
def power_iteration(W, u, num_iterations=1):
    for _ in range(num_iterations):
        v = W.T @ u
        v = v / v.norm()
        u = W @ v
        u = u / u.norm()
    sigma = u @ (W @ v)
    return sigma, v
