# The same answers through other library functions: F.relu and clamp, F.normalize and vector_norm,
# the deprecated torch.nn.utils.spectral_norm, torch.autograd.grad on a list, torch._foreach-free loops
# with mul_/add_ and averaged buffers, manual distances and topk.
# %% cell: hinge_losses
import torch.nn.functional as F


def hinge_discriminator_loss(logits_real, logits_fake):
    return F.relu(1.0 - logits_real).mean() + (logits_fake + 1.0).clamp(min=0).mean()


def hinge_generator_loss(logits_fake):
    return -torch.mean(logits_fake)
# %% cell: power_iteration
def power_iteration(W, u, num_iterations=1):
    for _ in range(num_iterations):
        v = F.normalize(torch.mv(W.t(), u), dim=0)
        Wv = torch.mv(W, v)
        u = Wv / torch.linalg.vector_norm(Wv)
    return torch.linalg.vector_norm(Wv), u
# %% cell: spectral
def add_spectral_norm(D):
    for module in list(D.modules()):
        if type(module) in (nn.Conv2d, nn.Linear):
            torch.nn.utils.spectral_norm(module)
    return D
# %% cell: r1
def discriminator_loss_r1(D, x_real, x_fake, gamma, loss_fn=hinge_discriminator_loss):
    x = x_real.clone().requires_grad_()
    logits_real = D(x)
    grads = torch.autograd.grad(outputs=[logits_real.sum()], inputs=[x], create_graph=True)[0]
    squared = torch.linalg.vector_norm(grads.flatten(start_dim=1), dim=1) ** 2
    penalty = 0.5 * gamma * squared.mean()
    loss_D = loss_fn(logits_real, D(x_fake))
    return loss_D + penalty, penalty
# %% cell: ttur
def two_time_scale_optimizers(D, G, lr_D=4e-4, lr_G=1e-4):
    opt_D = torch.optim.Adam([{"params": list(D.parameters())}], lr=lr_D, betas=[0.0, 0.9], eps=1e-8)
    opt_G = torch.optim.Adam([{"params": list(G.parameters()), "lr": lr_G}], betas=(0.0, 0.9))
    return opt_D, opt_G
# %% cell: ema
@torch.no_grad()
def ema_update(G_ema, G, decay):
    for p_ema, p in zip(G_ema.parameters(), G.parameters()):
        p_ema.mul_(decay).add_((1 - decay) * p)
    for b_ema, b in zip(G_ema.buffers(), G.buffers()):
        if b.is_floating_point():
            b_ema.mul_(decay).add_((1 - decay) * b)  # the statistics averaged like the weights
        else:
            b_ema.copy_(b)
# %% cell: knn
def knn_radii(features, k=3):
    squared = ((features[:, None, :] - features[None, :, :]) ** 2).sum(dim=-1)
    squared.fill_diagonal_(float("inf"))  # a point is not its own neighbour
    return squared.topk(k, dim=1, largest=False).values[:, -1].sqrt()
# %% cell: precision_recall
def precision_recall(real_features, fake_features, real_radii, fake_radii):
    d = torch.sqrt(((fake_features[:, None, :] - real_features[None, :, :]) ** 2).sum(-1))  # (M, N)
    inside_real = (d - real_radii).min(dim=1).values <= 0
    inside_fake = (d.t() - fake_radii).min(dim=1).values <= 0
    return inside_real.double().mean().item(), inside_fake.double().mean().item()
