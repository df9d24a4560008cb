"""s2sad against its peers, in one run: gradient time as a ratio to hand-written NumPy, and
the time to generate a gradient.

Usage: python benchmarks/peers.py [--quick] [--rounds N]

Each cell's implementations (hand-written NumPy, s2sad, and where installed autograd,
torch on the CPU, jax eager and jax.jit, tangent-ad) are first checked against the
hand-written gradient, then timed single-threaded, interleaved: every round times each
implementation over enough calls to last a while, and the table shows, per cell, the
median over the rounds of each one's time per call divided by the hand-written one's.
The peers' packages are the `bench` extra (`pip install -e ".[bench]"`).

Then generation: the first gradient of a 10-line function and of examples/convnet.py's
loss, and of a 2,000-line straight-line function, each in a fresh process with the
persistent cache off; and the same 10-line gradient in a second process that finds it in
the cache (median of three processes each).
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("JAX_ENABLE_X64", "1")

import argparse
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import timeit
import types
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import numpy as np
from bench import (
    dag,
    dag_hand,
    dag_inputs,
    mlp,
    mlp_hand,
    mlp_inputs,
    oscillator,
    oscillator_hand,
    oscillator_inputs,
    rnn,
    rnn_hand,
    rnn_inputs,
)
from threadpoolctl import threadpool_limits

import s2sad


def _optional(name: str):
    try:
        return __import__(name)
    except ImportError:
        return None


autograd, torch, jax, tangent = (_optional(n) for n in ("autograd", "torch", "jax", "tangent"))
if torch is not None:
    torch.set_num_threads(1)

WRT = {dag: (0, 1), mlp: (0, 1, 2, 3), rnn: (0, 1, 2), oscillator: (0, 1, 2, 3)}
HAND = {dag: dag_hand, mlp: mlp_hand, rnn: rnn_hand, oscillator: oscillator_hand}
GOALS = {"DAG 5x5": 1.2, "MLP 16-16-4, batch 8": 1.2, "RNN 10 steps, hidden 256": 1.2,
         "DAG 512x512, x 512x64": 0.95, "MLP 784-512-10, batch 256": 0.95,
         "RNN 100 steps, hidden 256": 0.35, "scalar loop 50 steps": 1.5,
         "scalar loop 2000 steps": 1.5}


def cells() -> list[tuple[str, Callable, tuple]]:
    rng = np.random.default_rng(0)
    return [
        ("DAG 5x5", dag, dag_inputs(rng, 5, 5)),
        ("MLP 16-16-4, batch 8", mlp, mlp_inputs(rng, 8, 16, 16, 4)),
        ("RNN 10 steps, hidden 256", rnn, rnn_inputs(rng, 10, 256, 128)),
        ("DAG 512x512, x 512x64", dag, dag_inputs(rng, 512, 64)),
        ("MLP 784-512-10, batch 256", mlp, mlp_inputs(rng, 256, 784, 512, 10)),
        ("RNN 100 steps, hidden 256", rnn, rnn_inputs(rng, 100, 256, 128)),
        ("scalar loop 50 steps", oscillator, oscillator_inputs(rng, 50)),
        ("scalar loop 2000 steps", oscillator, oscillator_inputs(rng, 2000)),
    ]


def _rebound(fun: Callable, namespace: object) -> Callable:
    """`fun`'s code with `np` naming another array module (autograd's or jax's NumPy)."""
    return types.FunctionType(fun.__code__, {**fun.__globals__, "np": namespace}, fun.__name__)


# torch has its own names for a few of NumPy's: the models written for it
def _torch_dag(w1, w2, x):
    x1 = w1 @ x
    x2 = x + w2 @ x1
    x3 = w1 @ (x1 + x2)
    return torch.sum(x3 * x3)


def _torch_mlp(w1, b1, w2, b2, x, y):
    h = torch.tanh(x @ w1 + b1)
    z = h @ w2 + b2
    zs = z - torch.amax(z, dim=1, keepdim=True)
    log_p = zs - torch.log(torch.sum(torch.exp(zs), dim=1, keepdim=True))
    return -torch.mean(torch.sum(y * log_p, dim=1))


def _torch_rnn(w, u, b, xs, h0):
    h = h0
    for t in range(xs.shape[0]):
        h = torch.tanh(w @ h + u @ xs[t] + b)
    return torch.sum(h * h)


def _torch_oscillator(k, c, x0, v0, n):
    x, v = x0, v0
    for i in range(n):
        a = -k[i] * x - c[i] * v
        v = v + 0.01 * a
        x = x + 0.01 * v
    return x * x + v * v


TORCH = {dag: _torch_dag, mlp: _torch_mlp, rnn: _torch_rnn, oscillator: _torch_oscillator}


def implementations(fun: Callable, args: tuple) -> dict[str, Callable[[], object]]:
    """Each installed library's gradient of `fun`, as a call with `args` bound."""
    wrt = WRT[fun]
    made: dict[str, Callable[[], object]] = {
        "hand": lambda: HAND[fun](*args),
        "s2sad": _bound(s2sad.grad(fun, wrt=wrt), args),
    }
    if autograd is not None:
        import autograd.numpy as anp

        made["autograd"] = _bound(autograd.grad(_rebound(fun, anp), wrt), args)
    if torch is not None:
        made["torch"] = _torch_gradient(TORCH[fun], args, wrt)
    if jax is not None and not (fun is oscillator and args[-1] > 100):
        # jax on a long Python loop of scalar steps: eager, every step traces again (minutes
        # a call); jitted, the unrolled loop takes minutes to compile. Those cells are n/a.
        import jax.numpy as jnp

        static = tuple(i for i, a in enumerate(args) if isinstance(a, int))
        model = _rebound(fun, jnp)
        eager = jax.grad(model, wrt)
        jitted = jax.jit(jax.grad(model, wrt), static_argnums=static)
        made["jax"] = lambda: _ready(eager(*args))
        made["jax.jit"] = lambda: _ready(jitted(*args))
    if tangent is not None:
        try:
            made["tangent"] = _bound(tangent.grad(fun, wrt=wrt, verbose=0), args)
        except Exception as error:  # noqa: BLE001 - tangent refuses much of NumPy: n/a there
            print(f"  tangent refuses {fun.__name__}: {type(error).__name__}", file=sys.stderr)
    return made


def _bound(gradient: Callable, args: tuple) -> Callable[[], object]:
    return lambda: gradient(*args)


def _ready(values):
    for value in values:
        value.block_until_ready()
    return values


def _torch_gradient(model: Callable, args: tuple, wrt: tuple) -> Callable[[], object]:
    tensors = [torch.tensor(a) if isinstance(a, np.ndarray) else a for a in args]

    def gradient():
        inputs = list(tensors)
        for i in wrt:
            inputs[i] = torch.tensor(tensors[i], dtype=torch.float64, requires_grad=True) \
                if not isinstance(tensors[i], torch.Tensor) else tensors[i].detach().requires_grad_()
        model(*inputs).backward()
        return [inputs[i].grad for i in wrt]

    return gradient


def _checked(name: str, made: dict[str, Callable[[], object]]) -> dict[str, Callable[[], object]]:
    """The implementations whose gradients agree with the hand-written ones (the others are
    reported and left out)."""
    expected = made["hand"]()
    kept = {}
    for label, call in made.items():
        try:
            call()  # a first call: compilation, tracing, generation
            started = time.perf_counter()
            got = [np.asarray(g.detach().numpy() if hasattr(g, "detach") else g) for g in call()]
        except Exception as error:  # noqa: BLE001 - a peer that fails a cell is n/a there
            print(f"  {name}: {label} failed ({type(error).__name__}: {str(error)[:80]})",
                  file=sys.stderr)
            continue
        if time.perf_counter() - started > SLOW:
            print(f"  {name}: {label} takes {time.perf_counter() - started:.0f} s a call: n/a",
                  file=sys.stderr)
            continue
        if all(np.allclose(g, e, rtol=1e-6, atol=1e-9) for g, e in zip(got, expected)):
            kept[label] = call
        else:
            print(f"  {name}: {label} disagrees with the hand-written gradient", file=sys.stderr)
    return kept


def timed(made: dict[str, Callable[[], object]], rounds: int, min_time: float) -> dict[str, float]:
    """Each implementation's median, over the rounds, of its time per call divided by the
    hand-written one's in the same round; and the hand-written time per call (µs)."""
    timers = {label: timeit.Timer(call) for label, call in made.items()}
    loops = {label: _loops(timer, min_time) for label, timer in timers.items()}
    ratios: dict[str, list[float]] = {label: [] for label in made}
    hand = []
    for _ in range(rounds):
        per_call = {label: timer.timeit(loops[label]) / loops[label] for label, timer in timers.items()}
        hand.append(per_call["hand"])
        for label, seconds in per_call.items():
            ratios[label].append(seconds / per_call["hand"])
    result = {label: statistics.median(values) for label, values in ratios.items()}
    result["hand µs"] = 1e6 * statistics.median(hand)
    return result


def _loops(timer: timeit.Timer, min_time: float) -> int:
    number = 1
    while timer.timeit(number) < min_time:
        number *= 2
    return number


GENERATION = {
    "10-line function": """
        import numpy as np
        def loss(w1, b1, w2, b2, x, y):
            h = np.tanh(x @ w1 + b1)
            z = h @ w2 + b2
            zs = z - np.max(z, axis=1, keepdims=True)
            log_p = zs - np.log(np.sum(np.exp(zs), axis=1, keepdims=True))
            return -np.mean(np.sum(y * log_p, axis=1))
        def run(s2sad):
            rng = np.random.default_rng(0)
            args = [rng.standard_normal(s) for s in ((4, 5), 5, (5, 3), 3, (2, 4))]
            s2sad.grad(loss, wrt=(0, 1, 2, 3))(*args, np.eye(3)[[0, 1]])
    """,
    "convnet loss (examples/convnet.py)": f"""
        import sys
        sys.path.insert(0, {str(HERE.parent / 'examples')!r})
        def run(s2sad):
            import convnet
            convnet.loss.source
    """,
}


def _straight_line(lines: int) -> str:
    body = ["def loss(x, y):", "    v0 = x * y"]
    forms = ["np.tanh({a})", "{a} * {b}", "{a} + 0.5 * {b}", "np.sin({a}) - {b}", "{a} / (1.0 + {b} ** 2)"]
    for i in range(1, lines):
        body.append(f"    v{i} = " + forms[i % 5].format(a=f"v{i - 1}", b=f"v{i - 2}" if i > 1 else "x"))
    body.append(f"    return np.sum(v{lines - 1})")
    return "import numpy as np\n" + "\n".join(body) + "\ndef run(s2sad):\n    s2sad.grad(loss).source\n"


def generation(runs: int = 3) -> list[tuple[str, float]]:
    """(what, milliseconds): the first gradient's time in fresh processes, median of `runs`."""
    folder = Path(tempfile.mkdtemp(prefix="s2sad-generation-"))
    programs = {name: textwrap.dedent(text) for name, text in GENERATION.items()}
    programs["2,000-line function"] = _straight_line(2000)
    rows = []
    for name, program in programs.items():
        rows.append((f"first gradient of the {name}", _in_processes(folder, program, runs, "0")))
    warm = programs["10-line function"]
    _in_processes(folder, warm, 1, "1")  # fills the cache
    rows.append(("the 10-line function's gradient, second process (cache)",
                 _in_processes(folder, warm, runs, "1")))
    return rows


def _in_processes(folder: Path, program: str, runs: int, cache: str) -> float:
    module = folder / f"program_{abs(hash(program))}.py"
    module.write_text(program)
    driver = (f"import sys, time; sys.path.insert(0, {str(folder)!r}); import s2sad; "
              f"import {module.stem} as m; t = time.perf_counter(); m.run(s2sad); "
              "print(1e3 * (time.perf_counter() - t))")
    environment = {**os.environ, "S2SAD_CACHE": cache, "S2SAD_CACHE_DIR": str(folder / "cache")}
    times = [float(subprocess.run([sys.executable, "-c", driver], capture_output=True, text=True,
                                  check=True, env=environment).stdout.split()[-1])
             for _ in range(runs)]
    return statistics.median(times)


SLOW = 5.0
"""Seconds a call may take for a peer to be timed in a cell (jax.jit on a loop of scalar
steps traces every call again)."""
PEERS = ("s2sad", "autograd", "torch", "jax", "jax.jit", "tangent")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short rounds (smoke test)")
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    rounds, min_time = (2, 0.01) if options.quick else (options.rounds, 0.1)
    started = time.perf_counter()
    rows = []
    with threadpool_limits(1):
        for name, fun, args in cells():
            print(f"{name} ...", file=sys.stderr, flush=True)
            made = _checked(name, implementations(fun, args))
            result = timed(made, rounds, min_time)
            ratios = [f"{result[p]:.2f}" if p in result else "n/a" for p in PEERS]
            met = "yes" if result["s2sad"] <= GOALS[name] else "**no**"
            rows.append(f"| {name} | {result['hand µs']:.0f} | {' | '.join(ratios)} | "
                        f"≤ {GOALS[name]} | {met} |")
    versions = ", ".join(f"{m.__name__} {m.__version__}" for m in (np, autograd, torch, jax)
                         if m is not None and hasattr(m, "__version__"))
    print(f"One thread; ratio to hand-written NumPy, median of {rounds} rounds; {versions}\n")
    print("| cell | hand-written (µs) | " + " | ".join(PEERS) + " | goal | met |")
    print("|---|---:|" + "---:|" * len(PEERS) + "---:|:---:|")
    print("\n".join(rows))
    print("\n| generation | ms |\n|---|---:|")
    for what, milliseconds in generation(1 if options.quick else 3):
        print(f"| {what} | {milliseconds:.1f} |")
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
