#!/usr/bin/python3
"""The layering rules of HACKING.md, checked on the source tree.

1. daemon/core/ is pure: it includes no ZeroMQ, SQLite, libevent or
   systemd header, no <time.h>/<sys/time.h>, and calls no clock
   (time(), clock_gettime(), gettimeofday(), clock(), timespec_get()).
   Time reaches it as an argument.
2. Each layer includes project headers only from the layers below it:
     proto/        proto/
     daemon/core/  daemon/core/, proto/
     daemon/       daemon/, daemon/core/, proto/
     clients/      clients/ (and its subfolders), daemon/core/, proto/
   So daemon/ never includes from clients/, and the core never from the
   daemon's I/O side.
3. No function is longer than 100 lines, and no file-scope variable is
   mutable except the few named in MUTABLE_OK.

Usage: layers.py [--root DIR]      check the tree (default: this checkout)
       layers.py --selftest        show that each rule fails when broken
Exit 0 when the tree keeps every rule, 1 with one line per violation.
"""
import argparse
import os
import re
import shutil
import sys
import tempfile

LAYERS = [  # (folder, folders it may include from), most specific first
    ("daemon/core", ["daemon/core", "proto"]),
    ("daemon", ["daemon", "daemon/core", "proto"]),
    ("proto", ["proto"]),
    ("clients", ["clients", "daemon/core", "proto"]),
]
CORE_FORBIDDEN_INCLUDES = re.compile(
    r"^\s*#\s*include\s*<(zmq\.h|sqlite3\.h|event2/[^>]*|systemd/[^>]*|"
    r"time\.h|sys/time\.h)>")
CLOCK_CALL = re.compile(
    r"\b(time|clock_gettime|gettimeofday|clock|timespec_get)\s*\(")
LOCAL_INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')
FUNCTION_MAX = 100
# File-scope mutables that are right as they are (HACKING.md): the log
# level read by the ZAP thread, and expertctl's signal flag.
MUTABLE_OK = {("daemon/log.c", "log_level"),
              ("clients/expertctl/cmd_sub.c", "sub_stop")}


def sources(root):
    for top in ("proto", "daemon", "clients"):
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for f in sorted(files):
                if f.endswith((".c", ".h")):
                    path = os.path.join(dirpath, f)
                    yield os.path.relpath(path, root).replace(os.sep, "/")


def layer_of(rel):
    for folder, allowed in LAYERS:
        if rel.startswith(folder + "/"):
            return folder, allowed
    return None, None


def strip_comments(text):
    """Blank out comments and string literals, keeping line numbers."""
    def keep_lines(m):
        return re.sub(r"[^\n]", " ", m.group(0))
    return re.sub(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"', keep_lines,
                  text, flags=re.S)


def header_dirs(root, allowed):
    """Every folder under the allowed layers (clients/expertctl too), minus
    deeper layers that are not allowed themselves (daemon/ excludes nothing:
    daemon/core is allowed)."""
    dirs = []
    for a in allowed:
        for dirpath, _, _ in os.walk(os.path.join(root, a)):
            rel = os.path.relpath(dirpath, root).replace(os.sep, "/")
            if rel == a or rel.startswith(a + "/"):
                dirs.append(rel)
    return dirs


def check_includes(root, rel, lines, problems):
    folder, allowed = layer_of(rel)
    if folder is None:
        return
    here = os.path.dirname(rel)
    allowed_dirs = header_dirs(root, allowed)
    every_dir = header_dirs(root, ["proto", "daemon", "clients"])
    for no, line in enumerate(lines, 1):
        m = LOCAL_INCLUDE.match(line)
        if m:
            name = m.group(1)
            if os.path.exists(os.path.join(root, here, name)):
                continue  # beside the file: same folder, same layer
            if any(os.path.exists(os.path.join(root, d, name))
                   for d in allowed_dirs):
                continue
            owner = [d for d in every_dir
                     if os.path.exists(os.path.join(root, d, name))]
            where = owner[0] + "/" if owner else "nowhere in the tree"
            problems.append(f"{rel}:{no}: includes \"{name}\" from {where}; "
                            f"{folder}/ may include only from "
                            f"{', '.join(a + '/' for a in allowed)}")
        if folder == "daemon/core" and CORE_FORBIDDEN_INCLUDES.match(line):
            problems.append(f"{rel}:{no}: the pure core includes "
                            f"{line.strip()[len('#include '):]}: no sockets, "
                            f"SQL, event loop or clock in daemon/core/")


def check_clock(rel, code_lines, problems):
    if not rel.startswith("daemon/core/"):
        return
    for no, line in enumerate(code_lines, 1):
        m = CLOCK_CALL.search(line)
        if m:
            problems.append(f"{rel}:{no}: the pure core reads the clock "
                            f"({m.group(1)}()); pass the time in instead")


def check_functions(rel, code_lines, problems):
    """Function bodies open with '{' and close with '}' in column 0."""
    if not rel.endswith(".c"):
        return
    start = None
    for no, line in enumerate(code_lines, 1):
        if line.startswith("{") and start is None:
            start = no
        elif line.startswith("}") and start is not None:
            body = no - start - 1
            if body > FUNCTION_MAX:
                problems.append(f"{rel}:{start}: a function of {body} lines; "
                                f"keep functions under {FUNCTION_MAX}")
            start = None


FILE_SCOPE_VAR = re.compile(
    r"^(?:static\s+)?(?!typedef|extern|struct\s+\w+\s*\{|enum|union|return)"
    r"[A-Za-z_][\w\s\*]*?\b(\w+)\s*(?:\[[^\]]*\]\s*)*(?:=[^;]*)?;\s*$")


def check_globals(rel, code_lines, problems):
    if not rel.endswith(".c"):
        return
    depth = 0
    for no, line in enumerate(code_lines, 1):
        if depth == 0 and not line.startswith((" ", "\t", "#")):
            m = FILE_SCOPE_VAR.match(line)
            if (m and "(" not in line and not re.search(r"\bconst\b", line)
                    and (rel, m.group(1)) not in MUTABLE_OK):
                problems.append(f"{rel}:{no}: file-scope mutable "
                                f"'{m.group(1)}'; pass state explicitly")
        depth += line.count("{") - line.count("}")


def check(root):
    problems = []
    for rel in sources(root):
        with open(os.path.join(root, rel), encoding="utf-8") as f:
            text = f.read()
        lines = text.split("\n")
        code = strip_comments(text).split("\n")
        check_includes(root, rel, lines, problems)
        check_clock(rel, code, problems)
        check_functions(rel, code, problems)
        check_globals(rel, code, problems)
    return problems


# Each breach the self-test makes in a copy of the tree: (file, text
# appended, words the report must contain).
BREACHES = [
    ("daemon/core/draw.c", "#include <zmq.h>\n", "includes <zmq.h>"),
    ("daemon/core/draw.c", "#include <sqlite3.h>\n", "includes <sqlite3.h>"),
    ("daemon/core/recusal.c", "#include <event2/event.h>\n",
     "includes <event2/event.h>"),
    ("daemon/core/policy.c", "#include <time.h>\n", "includes <time.h>"),
    ("daemon/core/policy.c",
     "int policy_now(void);\nint policy_now(void)\n{\n\treturn (int)time(0);\n}\n",
     "reads the clock (time())"),
    ("daemon/core/assign.c", '#include "store.h"\n',
     'includes "store.h" from daemon/'),
    ("daemon/dispatch.c", '#include "client.h"\n',
     'includes "client.h" from clients/'),
    ("proto/ident.c", '#include "draw.h"\n', 'includes "draw.h" from daemon/core/'),
    ("daemon/reply.c", "int reply_count;\n", "file-scope mutable 'reply_count'"),
    ("daemon/reply.c", "void reply_long(void);\nvoid reply_long(void)\n{\n" +
     "\t;\n" * 101 + "}\n", "a function of 101 lines"),
]


def selftest(root):
    """Run the check on copies of this tree, each with one breach."""
    with tempfile.TemporaryDirectory() as tmp:
        clean = os.path.join(tmp, "clean")
        for top in ("proto", "daemon", "clients"):
            shutil.copytree(os.path.join(root, top), os.path.join(clean, top))
        if check(clean):
            print("selftest: the unbroken copy already fails", file=sys.stderr)
            return 1
        failed = 0
        for i, (rel, added, expect) in enumerate(BREACHES):
            copy = os.path.join(tmp, f"b{i}")
            shutil.copytree(clean, copy)
            with open(os.path.join(copy, rel), "a", encoding="utf-8") as f:
                f.write(added)
            found = "\n".join(check(copy))
            caught = expect in found
            print(f"{'caught' if caught else 'MISSED'}: {rel} + "
                  f"{added.splitlines()[0]!r}: {found[:200]}")
            failed += not caught
            shutil.rmtree(copy)
        print(f"{len(BREACHES) - failed} passed, {failed} failed")
        return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    ap.add_argument("--selftest", action="store_true")
    a = ap.parse_args()
    root = os.path.abspath(a.root)
    if a.selftest:
        return selftest(root)
    problems = check(root)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
