#!/usr/bin/env python3
"""SimPy peer of `regionsim bench`'s M/M/c model, timed the same way (one thread, wall clock).

The model: Poisson arrivals at λ = 9/s, c = 10 servers, exponential service with mean 1 s,
a FIFO queue without limit, about N customers (the run lasts N / λ simulated seconds, as
`regionsim bench --customers N` does). Each customer records its wait and time in system,
so the model does the bookkeeping regionsim's "full metrics" run does, in the cheapest form
SimPy allows (running sums).

Prints customers (requests) per wall-clock second, timed around `env.run(until=...)` (the
fastest way to run a SimPy model; stepping by hand costs 6–11% more), and the mean wait
against Erlang C as a sanity check. `--count-events` steps by hand instead and also prints
SimPy's events per wall-clock second (every `env.step()`).

    pip install simpy
    python3 benches/peers/simpy_mmc.py --customers 1000000
"""

import argparse
import math
import random
import time

import simpy

LAMBDA = 9.0
SERVERS = 10
MEAN_SERVICE_S = 1.0


def erlang_c_wait(lam: float, c: int, mu: float) -> float:
    """Mean wait in queue of M/M/c (Erlang C)."""
    a = lam / mu
    term, total = 1.0, 0.0
    for k in range(c):
        if k > 0:
            term *= a / k
        total += term
    top = term * a / c * (c / (c - a))
    return top / (total + top) / (c * mu - lam)


def customer(env, servers, stats, rng):
    arrived = env.now
    with servers.request() as req:
        yield req
        stats["wait"] += env.now - arrived
        stats["served"] += 1
        yield env.timeout(rng.expovariate(1.0 / MEAN_SERVICE_S))
    stats["sojourn"] += env.now - arrived
    stats["done"] += 1


def source(env, servers, stats, rng, end):
    while True:
        yield env.timeout(rng.expovariate(LAMBDA))
        if env.now >= end:
            return
        stats["arrivals"] += 1
        env.process(customer(env, servers, stats, rng))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--count-events",
        action="store_true",
        help="step the loop by hand to count SimPy's events (6-11% slower than env.run)",
    )
    args = ap.parse_args()

    end = args.customers / LAMBDA
    rng = random.Random(args.seed)
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=SERVERS)
    stats = {"arrivals": 0, "served": 0, "done": 0, "wait": 0.0, "sojourn": 0.0}
    env.process(source(env, servers, stats, rng, end))

    # Timed as a SimPy user runs a model, env.run(until=...); stepping by hand to count the
    # events is measurably slower, so it is only done when asked for.
    events = None
    t = time.perf_counter()
    if args.count_events:
        events = 0
        while env.peek() < end:
            env.step()
            events += 1
    else:
        env.run(until=end)
    wall = time.perf_counter() - t

    theory = erlang_c_wait(LAMBDA, SERVERS, 1.0 / MEAN_SERVICE_S)
    print(f"simpy {simpy.__version__}, python {'.'.join(map(str, __import__('sys').version_info[:3]))}")
    print(f"customers (arrivals)  {stats['arrivals']}")
    print(f"simulated             {end:.0f} s")
    print(f"wall                  {wall:.2f} s")
    if events is not None:
        print(f"events                {events}")
        print(f"events/s              {events / wall:,.0f}")
    print(f"customers/s           {stats['arrivals'] / wall:,.0f}")
    mean_wait = stats["wait"] / max(stats["served"], 1)
    print(f"mean wait             {mean_wait:.4f} s (Erlang C {theory:.4f} s)")
    if not math.isfinite(mean_wait):
        raise SystemExit("no customer was served")


if __name__ == "__main__":
    main()
