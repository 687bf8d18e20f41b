# New tensors assigned to G_ema's parameters (through load_state_dict's copy is fine; this rebinds them):
# what holds the old ones no longer follows.
# fails: test_ema_update
# says: test_ema_update: in place
# %% cell: ema
def ema_update(G_ema, G, decay):
    with torch.no_grad():
        for (name, p_ema), p in zip(list(G_ema.named_parameters()), G.parameters()):
            module_name, _, attribute = name.rpartition(".")
            module = G_ema.get_submodule(module_name)
            setattr(module, attribute, nn.Parameter(decay * p_ema + (1 - decay) * p, requires_grad=False))
        for b_ema, b in zip(G_ema.buffers(), G.buffers()):
            b_ema.copy_(b)
