#!/usr/bin/env python3
"""Checks that the modules of gateway/ depend on one another one way only.

A module is a directory right under gateway/ (core, store, channels, ...; its
subdirectories belong to it). Reading every `#include "gateway/<module>/..."` of
gateway/**/*.h and *.cc, it fails when
  - the modules include one another in a cycle (the cycle is named, with the
    include line that makes each step), or
  - a module includes one of its own layer or of a layer above it (LAYERS below), or
  - a directory under gateway/ holds sources but has no layer.
gateway/main.cc, above every module, may include any of them.

Usage: check_module_layers.py [ROOT]   (ROOT holds gateway/; default: this repository)
       check_module_layers.py --self-test   (shows that it finds a cycle, a wrong way and a
                                             module without a layer, in made-up trees)
The same order, in words, is in README.md ("Where things live").
"""

import os
import re
import sys

# Lowest first. A module may include modules of lower layers only.
LAYERS = [
    ["core"],                                     # Result, Clock, ids, logs, metrics, JSON reading, HTTP client
    ["config", "messages", "security", "engine"],  # configuration; InboundMessage; crypto; the pure flow runtime
    ["store", "content"],                         # persistence (encrypted); content loading and rendering
    ["stats"],                                    # anonymised counters: weeks, suppression, reports
    ["http"],                                     # the HTTP server, staff login, health and /metrics routes
    ["helpdesk"],                                 # queue, operators; its console and dead-letter routes
    ["conversations"],                            # the orchestrator between engine, helpdesk and outbox
    ["channels", "studio"],                       # providers, the simulator; the content studio
    ["cli"],                                      # the commands, wiring everything
]

INCLUDE = re.compile(r'^\s*#\s*include\s*["<]gateway/([^/">]+)/([^">]*)[">]')


def read_edges(root):
    """{(from, to): [(file, line, included path), ...]} between different modules."""
    edges = {}
    modules = set()
    gateway = os.path.join(root, "gateway")
    for dirpath, dirnames, filenames in os.walk(gateway):
        dirnames.sort()
        rel = os.path.relpath(dirpath, gateway)
        if rel == ".":
            continue  # main.cc and the like: above every module
        module = rel.split(os.sep)[0]
        for name in sorted(filenames):
            if not name.endswith((".h", ".cc")):
                continue
            modules.add(module)
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                for number, text in enumerate(f, 1):
                    m = INCLUDE.match(text)
                    if m and m.group(1) != module:
                        where = (os.path.relpath(path, root), number, "gateway/%s/%s" % (m.group(1), m.group(2)))
                        edges.setdefault((module, m.group(1)), []).append(where)
    return modules, edges


def find_cycle(modules, edges):
    """One cycle as a list of modules [a, b, ..., a], or None."""
    graph = {}
    for (a, b) in edges:
        graph.setdefault(a, []).append(b)
    for targets in graph.values():
        targets.sort()
    state = {}  # absent: unseen, 1: on the current path, 2: done
    path = []

    def visit(node):
        state[node] = 1
        path.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(set(modules) | {a for a, _ in edges}):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def check(root):
    """(exit status, report) for the tree under `root`."""
    layer_of = {m: i for i, layer in enumerate(LAYERS) for m in layer}
    modules, edges = read_edges(root)
    failures = []

    cycle = find_cycle(modules, edges)
    if cycle:
        lines = ["cycle: " + " -> ".join(cycle)]
        for a, b in zip(cycle, cycle[1:]):
            file, number, included = edges[(a, b)][0]
            lines.append("  %s:%d includes %s" % (file, number, included))
        failures.append("\n".join(lines))

    for module in sorted(modules | {b for _, b in edges}):
        if module not in layer_of:
            failures.append("module %s has no layer: add it to LAYERS in %s and to README.md"
                            % (module, os.path.relpath(__file__, root)))
    for (a, b), wheres in sorted(edges.items()):
        if a in layer_of and b in layer_of and layer_of[b] >= layer_of[a]:
            file, number, included = wheres[0]
            more = " (and %d more)" % (len(wheres) - 1) if len(wheres) > 1 else ""
            failures.append("%s:%d: %s (layer %d) includes %s of %s (layer %d): a module includes only lower "
                            "layers%s" % (file, number, a, layer_of[a], included, b, layer_of[b], more))

    if failures:
        return 1, "\n".join(failures)
    return 0, "%d modules, %d dependencies between them, no cycle, every one downwards" % (len(modules), len(edges))


def self_test():
    """Runs check() on made-up trees; returns the number of expectations that failed."""
    import shutil
    import tempfile

    def tree(files):
        root = tempfile.mkdtemp(prefix="module_layers_")
        for path, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(root, path)), exist_ok=True)
            with open(os.path.join(root, path), "w") as f:
                f.write(text)
        return root

    cases = [
        ("a cycle between two modules is named with an include of each step",
         {"gateway/core/a.h": '#pragma once\n#include "gateway/config/b.h"\n',
          "gateway/config/b.h": '#include "gateway/core/result.h"\n#include "gateway/core/a.h"\n',
          "gateway/core/result.h": "#pragma once\n"},
         1, ["cycle: config -> core -> config",
             "gateway/config/b.h:1 includes gateway/core/result.h",
             "gateway/core/a.h:2 includes gateway/config/b.h",
             "gateway/core/a.h:2: core (layer 0) includes gateway/config/b.h of config (layer 1)"]),
        ("a longer cycle through a subdirectory is found",
         {"gateway/store/s.h": '#include "gateway/helpdesk/h.h"\n',
          "gateway/helpdesk/h.h": '#include "gateway/channels/twilio/t.h"\n',
          "gateway/channels/twilio/t.h": '#include "gateway/store/s.h"\n'},
         1, ["cycle: channels -> store -> helpdesk -> channels"]),
        ("an upward include without a cycle is refused",
         {"gateway/engine/e.cc": '#include "gateway/content/renderer.h"\n',
          "gateway/content/renderer.h": '#include "gateway/core/result.h"\n'},
         1, ["gateway/engine/e.cc:1: engine (layer 1) includes gateway/content/renderer.h of content (layer 2)"]),
        ("an include within a layer is refused",
         {"gateway/engine/e.cc": '#include "gateway/security/crypto.h"\n'},
         1, ["engine (layer 1) includes gateway/security/crypto.h of security (layer 1)"]),
        ("a module without a layer is refused",
         {"gateway/reports/r.cc": '#include "gateway/core/result.h"\n'},
         1, ["module reports has no layer"]),
        ("downward includes, main.cc and includes within a module pass",
         {"gateway/main.cc": '#include "gateway/cli/commands.h"\n',
          "gateway/cli/commands.h": '#include "gateway/core/result.h"\n#include "gateway/cli/x.h"\n',
          "gateway/channels/web/w.cc": '#include "gateway/conversations/c.h"\n#include "gateway/channels/o.h"\n'},
         0, ["no cycle, every one downwards"]),
    ]
    failed = 0
    for name, files, want_status, want_lines in cases:
        root = tree(files)
        status, report = check(root)
        shutil.rmtree(root)
        missing = [w for w in want_lines if w not in report]
        if status != want_status or missing:
            failed += 1
            print("FAILED: %s\n  status %d (wanted %d); missing %s\n  report:\n%s"
                  % (name, status, want_status, missing, report))
        else:
            print("ok: " + name)
    return failed


def main():
    if sys.argv[1:] == ["--self-test"]:
        return 1 if self_test() else 0
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    status, report = check(root)
    print(report)
    return status


if __name__ == "__main__":
    sys.exit(main())
