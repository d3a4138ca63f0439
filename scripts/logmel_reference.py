"""Reference log-mel values for LogMelReferenceTest, computed with the formulas of the PyTorch peer
benchmark (torch_fsdd.py: mel_filters, log_mel, and the per-band standardisation of load), in numpy.

Usage: /usr/bin/python3 scripts/logmel_reference.py > backprop-core/src/test/resources/org/backprop/audio/logmel_reference.json

The inputs are int16 recordings both sides generate from the same integer recipe (a tone plus a
linear-congruential noise), so no audio is stored: a short one (5000 samples: zeros in front)
and a long one (9000 samples: keeps its last 8000). The fixture holds the filter bank's non-zero weights, every
7th value of each spectrogram, and the band statistics fitted on the two."""
import json, math
import numpy as np

SR, N, NFFT, HOP, FRAMES, MELS = 8000, 8000, 256, 80, 100, 40

def recording(n, freq, seed):
    """int16 samples: round(9000 sin(2 pi freq t / 8000)) + noise in [-2048, 2048) from a 31-bit LCG."""
    out, s = [], seed
    for t in range(n):
        s = (s * 1103515245 + 12345) % (1 << 31)
        out.append(int(round(9000 * math.sin(2 * math.pi * freq * t / SR))) + (s >> 19) - 2048)
    return np.array(out, dtype=np.int16)

def mel_filters():                                            # torch_fsdd.mel_filters
    mel = lambda f: 2595 * np.log10(1 + f / 700); hz = lambda m: 700 * (10 ** (m / 2595) - 1)
    pts = hz(np.linspace(mel(0), mel(SR / 2), MELS + 2))
    f = np.arange(NFFT // 2 + 1) * SR / NFFT
    lo, ce, hi = pts[:-2, None], pts[1:-1, None], pts[2:, None]
    return np.maximum(0, np.minimum((f - lo) / (ce - lo), (hi - f) / (hi - ce)))

def log_mel(x):                                               # torch_fsdd.log_mel, one chunk
    idx = np.arange(FRAMES)[:, None] * HOP + np.arange(NFFT)
    win = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(NFFT) / NFFT); fb = mel_filters()
    xp = np.zeros((len(x), (FRAMES - 1) * HOP + NFFT)); xp[:, :N] = x
    power = np.abs(np.fft.rfft(xp[:, idx] * win, axis=-1)) ** 2
    return np.log(power @ fb.T + 1e-6).transpose(0, 2, 1).astype(np.float32)

g7 = lambda v: float('%.7g' % v)                              # float32 values: 7 digits
cases = [dict(n=5000, freq=440, seed=1), dict(n=9000, freq=1234, seed=2)]
waves = np.zeros((len(cases), N), np.float32)
for i, c in enumerate(cases):
    x = recording(c['n'], c['freq'], c['seed'])
    c['sample_sum'] = int(x.astype(np.int64).sum())
    x = x[-N:]
    waves[i, N - len(x):] = x / 32768                         # torch_fsdd.read_wavs: right-aligned
feats = log_mel(waves)
mu = feats.mean(axis=(0, 2), dtype=np.float64); sd = feats.std(axis=(0, 2), dtype=np.float64)
std = (feats - mu[None, :, None].astype(np.float32)) / sd[None, :, None].astype(np.float32)
for i, c in enumerate(cases):
    c['log_mel_every_7th'] = [g7(v) for v in feats[i].ravel()[::7]]
    c['standardized_every_7th'] = [g7(v) for v in std[i].ravel()[::7]]
fb = mel_filters()                                            # non-zero entries only: [band, bin, weight]
print(json.dumps(dict(filters=[[int(m), int(k), float('%.12g' % fb[m, k])] for m, k in zip(*np.nonzero(fb))],
                      cases=cases, band_means=[float(v) for v in mu], band_stds=[float(v) for v in sd])))
