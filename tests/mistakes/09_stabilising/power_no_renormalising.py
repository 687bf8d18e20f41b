# u and v never normalised: they grow like sigma^(2n) and sigma with them.
# fails: test_power_iteration, test_power_iteration_converges
# says: test_power_iteration_converges: normalise u and v
# %% cell: power_iteration
def power_iteration(W, u, num_iterations=1):
    for _ in range(num_iterations):
        v = W.T @ u
        u = W @ v
    sigma = u @ (W @ v)
    return sigma, u
