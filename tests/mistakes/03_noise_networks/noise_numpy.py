# NumPy's generator: float64, and torch.manual_seed(seed) does not seed it.
# fails: test_noise_shape_dtype, test_noise_seeded
# %% cell: sample_noise
import numpy as np

def sample_noise(batch_size, dim, seed=None):
    if seed is not None:
        torch.manual_seed(seed)
    return torch.from_numpy(np.random.uniform(-1, 1, size=(batch_size, dim)))
