"""Records PyTorch's outputs and gradients for Backprop's attention parity tests.
Usage: /usr/bin/python3 scripts/torch_attention_fixtures.py
Writes backprop-core/src/test/resources/org/backprop/nn/attention/*.json: for each case the
inputs, the module's state dict, the output, and the gradient of L = sum(output * proj) (proj a
fixed random tensor, recorded too) with respect to every input and parameter. Values are float32
numbers; the reference is computed in float64 from them, so the fixture holds PyTorch's exact
answer for those float32 inputs."""
import json, math, os
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'backprop-core', 'src', 'test', 'resources',
                   'org', 'backprop', 'nn', 'attention')

def enc(t):
    # shortest decimal that reads back as the same float32
    return dict(shape=list(t.shape), data=[float(repr(v)) for v in t.detach().float().reshape(-1).numpy()])

def f32(t):
    """Rounds to float32, then computes in float64."""
    return t.float().double()

class Block(nn.Module):
    """Pre-LN block with Backprop's names: ln1, attn (packed MultiheadAttention), ln2, fc, fc2."""
    def __init__(self, C, H):
        super().__init__()
        self.ln1 = nn.LayerNorm(C); self.attn = nn.MultiheadAttention(C, H, batch_first=True)
        self.ln2 = nn.LayerNorm(C); self.fc = nn.Linear(C, 4 * C); self.fc2 = nn.Linear(4 * C, C)

    def forward(self, x):
        T = x.shape[1]
        mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
        h = self.ln1(x)
        x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        return x + self.fc2(F.gelu(self.fc(self.ln2(x))))

def record(name, module, inputs, run, extra=None):
    module.double()
    with torch.no_grad():                       # float32 values, float64 arithmetic
        for p in module.parameters():
            p.copy_(f32(p) + 0.1 * torch.randn_like(p))  # biases and LayerNorm away from 0/1
            p.copy_(f32(p))
    ins = {k: f32(v).requires_grad_(True) for k, v in inputs.items()}
    y = run(module, ins)
    proj = f32(torch.randn_like(y))
    (y * proj).sum().backward()
    case = dict(inputs={k: enc(v) for k, v in ins.items()},
                state={k: enc(v) for k, v in module.state_dict().items()},
                output=enc(y), proj=enc(proj),
                grads={**{'input.' + k: enc(v.grad) for k, v in ins.items()},
                       **{k: enc(p.grad) for k, p in module.named_parameters()}})
    case.update(extra or {})
    with open(os.path.join(OUT, name + '.json'), 'w') as f:
        json.dump(case, f)
    print(name, tuple(y.shape))

if __name__ == '__main__':
    torch.manual_seed(12)
    os.makedirs(OUT, exist_ok=True)
    B, T, E, H = 2, 5, 8, 2
    x = torch.randn(B, T, E)
    record('mha_plain', nn.MultiheadAttention(E, H, batch_first=True), dict(x=x),
           lambda m, i: m(i['x'], i['x'], i['x'], need_weights=False)[0])
    causal = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
    record('mha_causal', nn.MultiheadAttention(E, H, batch_first=True), dict(x=x),
           lambda m, i: m(i['x'], i['x'], i['x'], attn_mask=causal, need_weights=False)[0], dict(causal=True))
    Tk = 6
    pad = torch.zeros(B, Tk, dtype=torch.bool); pad[0, 4:] = True; pad[1, 0] = True
    record('mha_cross_padding', nn.MultiheadAttention(E, H, batch_first=True),
           dict(query=torch.randn(B, T, E), key=torch.randn(B, Tk, E), value=torch.randn(B, Tk, E)),
           lambda m, i: m(i['query'], i['key'], i['value'], key_padding_mask=pad, need_weights=False)[0],
           dict(key_padding=[bool(v) for v in pad.reshape(-1).tolist()]))
    C, Hb, Tb = 16, 4, 6
    record('gpt_block', Block(C, Hb), dict(x=torch.randn(B, Tb, C)), lambda m, i: m(i['x']), dict(heads=Hb))
