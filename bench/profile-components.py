# Sums a flat `perf report --sort dso,sym --stdio -g none` into the server's components (stdin → stdout). Managed
# frames (dso "[JIT] tid N", named through the runtime's perf map) are classified by their declaring type.
import re
import sys

MANAGED = [
    ("WebSocket framing (ManagedWebSocket)", r"^System\.Net\.WebSockets\."),
    ("Kestrel, pipelines, sockets", r"^(Microsoft\.AspNetCore\.|System\.IO\.Pipelines\.|System\.Net\.Sockets\.)"),
    ("SQLite ADO.NET, Dapper", r"^(Microsoft\.Data\.Sqlite\.|SQLitePCL\.|Dapper\.)"),
    ("JSON", r"^System\.Text\.Json\."),
    ("thread pool, tasks, channels, locks", r"^(System\.Threading\.|System\.Runtime\.CompilerServices\.)"),
    ("core library, other (collections, strings, ...)", r"^System\.Private\.CoreLib\.$"),
    ("Heartline code", r"^Heartline\."),
    ("other managed (collections, strings, ...)", r".*"),
]

NATIVE = [
    ("SQLite (native)", lambda dso: "sqlite" in dso),
    ("kernel: TCP loopback, syscalls, scheduler", lambda dso: "kernel" in dso),
    ("JIT compiler", lambda dso: "libclrjit" in dso),
    ("runtime (GC, stubs, thread pool; libcoreclr has no symbols here)", lambda dso: "libcoreclr" in dso or "libSystem" in dso),
    ("libc (memcpy, malloc, sched_yield)", lambda dso: "libc.so" in dso or "ld-linux" in dso),
    ("other native", lambda dso: True),
]

totals = {}
line = re.compile(r"^\s*([\d.]+)%\s+(.*?)\s+\[(?:\.|k)\]\s+(.*)$")
declaring = re.compile(r"\]\s*([\w.`+<>]+)::")
for raw in sys.stdin:
    m = line.match(raw)
    if not m:
        continue
    share, dso, sym = float(m.group(1)), m.group(2), m.group(3)
    if dso.startswith("[JIT]") or dso.startswith("perf-"):
        d = declaring.search(sym)
        owner = d.group(1) if d else sym
        name = next(n for n, pattern in MANAGED if re.search(pattern, owner))
    elif dso.endswith(".dll"):
        # Precompiled (ReadyToRun) code: perf names the assembly only.
        owner = dso.rsplit("/", 1)[-1][:-4] + "."
        name = next(n for n, pattern in MANAGED if re.search(pattern, owner))
    else:
        name = next(n for n, test in NATIVE if test(dso))
    totals[name] = totals.get(name, 0.0) + share

print("share of the server's sampled CPU by component (%):")
for name, share in sorted(totals.items(), key=lambda kv: -kv[1]):
    if share >= 0.05:
        print(f"  {share:5.1f}  {name}")
