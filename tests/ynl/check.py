#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""check.py KSRC: the YNL spec against the kernel's schema, the uapi header
and the module's policy and reply code, as TAP ending "N passed, N failed".

KSRC holds the kernel's Documentation/netlink/*.yaml and tools/net/ynl
(linux-source-6.12, unpacked by check.sh). The spec is run through the
kernel's own generator (ynl-gen-c.py): --mode uapi gives the header the spec
means, --mode kernel the policies and the ops table it means. Both are
compared by meaning (names and values; policy types and ranges), not by
text: the hand-written header carries the protocol's prose, the module
names its policies its own way.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import jsonschema
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEC = os.path.join(REPO, "Documentation/netlink/specs/kcollapse.yaml")
UAPI = os.path.join(REPO, "include/uapi/linux/kcollapse.h")
REQUEST_C = os.path.join(REPO, "kmod/request.c")
NETLINK_C = os.path.join(REPO, "kmod/netlink.c")
KMOD_H = [os.path.join(REPO, "kmod", f) for f in ("request.h", "window.h")]
LICENSE = "((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)"

# In the header, not in the spec's rendering, on purpose: ynl numbers
# attributes and commands from 1 and renders no name for 0 (the spec names
# it "unspec" with type unused, which ynl does render). Nothing else.
# In the spec's rendering, not in the header: enum kcollapse_stop_reason's
# last value, which render-max adds (the header has __KCOLLAPSE_STOP_MAX
# only).
ONLY_IN_SPEC = {"KCOLLAPSE_STOP_MAX"}


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


class Consts:
    """Integer values of C names: enum members and #defines, evaluated."""

    def __init__(self):
        self.exprs = {}
        # the kernel's limits that policies use (include/linux/limits.h)
        self.vals = {"INT_MAX": 2**31 - 1, "S32_MAX": 2**31 - 1,
                     "U32_MAX": 2**32 - 1, "S16_MAX": 2**15 - 1,
                     "U16_MAX": 2**16 - 1}

    def add_text(self, text, with_comments=False):
        body = text if with_comments else strip_comments(text)
        for m in re.finditer(r"^[ \t]*#define[ \t]+(\w+)[ \t]+([^\n]+)$", body, re.M):
            self.exprs.setdefault(m.group(1), m.group(2).strip())
        for m in re.finditer(r"\benum\s+(\w*)\s*\{(.*?)\}", body, re.S):
            nxt = 0
            for item in m.group(2).split(","):
                item = item.strip()
                if not item:
                    continue
                name, _, expr = item.partition("=")
                name = name.strip()
                if expr.strip():
                    nxt = self.eval(expr.strip())
                self.vals[name] = nxt
                nxt += 1

    def eval(self, expr, depth=0):
        if depth > 20:
            raise ValueError(f"cannot evaluate {expr}")
        expr = re.sub(r"\bBIT\(([^()]*)\)", r"(1 << (\1))", expr)

        def sub(m):
            name = m.group(0)
            if name in self.vals:
                return str(self.vals[name])
            if name in self.exprs:
                return "(" + str(self.eval(self.exprs[name], depth + 1)) + ")"
            raise ValueError(f"unknown name {name} in {expr}")

        expr = re.sub(r"\b[A-Za-z_]\w*\b", sub, expr)
        if not re.fullmatch(r"[0-9xXa-fA-FuUlL\s()+\-*/<>&|~]*", expr):
            raise ValueError(f"not an integer expression: {expr}")
        expr = re.sub(r"(?<=[0-9a-fA-F])[uUlL]+\b", "", expr)
        return int(eval(expr, {"__builtins__": {}}))  # digits and operators only

    def value(self, name):
        if name in self.vals:
            return self.vals[name]
        return self.eval(self.exprs[name])

    def names(self, prefix):
        return {n for n in list(self.vals) + list(self.exprs) if n.startswith(prefix)}


def header_symbols(text):
    """KCOLLAPSE_* names of a uapi header -> value (int or string)."""
    c = Consts()
    c.add_text(text)
    out = {}
    for name in c.names("KCOLLAPSE_") | c.names("__KCOLLAPSE_"):
        expr = c.exprs.get(name, "")
        out[name] = expr if expr.startswith('"') else c.value(name)
    return out


def compare_uapi(hand_text, gen_text):
    """Problems, as lines, between the header and the spec's rendering."""
    hand, gen = header_symbols(hand_text), header_symbols(gen_text)
    probs = []
    for name in sorted(hand):
        if name not in gen:
            if name.endswith("_UNSPEC") and hand[name] == 0:
                continue
            probs.append(f"{name} (= {hand[name]}) is in the uapi header, not in the spec")
        elif hand[name] != gen[name]:
            probs.append(f"{name} is {hand[name]} in the uapi header, {gen[name]} in the spec")
    for name in sorted(set(gen) - set(hand) - ONLY_IN_SPEC):
        probs.append(f"{name} (= {gen[name]}) is in the spec, not in the uapi header")
    return probs


TYPE_WORDS = {"u8", "u16", "u32", "u64", "flag", "string", "nest"}


def compare_header_comments(hand_text, spec):
    """The header's /* TYPE */ notes on KCOLLAPSE_A_* against the spec."""
    types = {("KCOLLAPSE_A_" + a["name"].upper().replace("-", "_")): a["type"]
             for a in attr_set(spec, "kcollapse")["attributes"]}
    probs = []
    for m in re.finditer(r"^\s*(KCOLLAPSE_A_\w+),\s*/\*\s*(\w+)", hand_text, re.M):
        name, word = m.groups()
        if word not in TYPE_WORDS:
            continue
        if types.get(name) != word:
            probs.append(f"{name}: the uapi header says {word}, the spec {types.get(name)}")
    return probs


def attr_set(spec, name):
    return next(s for s in spec["attribute-sets"] if s["name"] == name)


POLICY_RE = re.compile(
    r"\bnla_policy\s+(\w+)\s*\[([^\]]+)\]\s*=\s*\{(.*?)\n\};", re.S)
ENTRY_RE = re.compile(r"\[\s*(\w+)\s*\]\s*=\s*(.*?)(?=,\s*\[|,?\s*$)", re.S)


RANGE_RE = re.compile(
    r"\bstruct\s+netlink_range_validation\s+(\w+)\s*=\s*\{(.*?)\}", re.S)


def parse_ranges(text, consts):
    """name -> (min, max) of the netlink_range_validation structs."""
    out = {}
    for m in RANGE_RE.finditer(text):
        fields = dict(re.findall(r"\.(min|max)\s*=\s*([^,}]+)", m.group(2)))
        out[m.group(1)] = tuple(consts.eval(fields[k].strip()) if k in fields else None
                                for k in ("min", "max"))
    return out


def parse_policy_entry(text, consts, ranges=None):
    """'NLA_POLICY_RANGE(NLA_U32, 1, X)', 'NLA_POLICY_FULL_RANGE(NLA_U32,
    &name)' or '{ .type = NLA_U64 }' -> (type, min, max) with names
    evaluated."""
    text = " ".join(text.split())
    m = re.fullmatch(r"NLA_POLICY_FULL_RANGE\((NLA_\w+), *&(\w+)\)", text)
    if m:
        if m.group(2) not in (ranges or {}):
            raise ValueError(f"range {m.group(2)} not found")
        lo, hi = ranges[m.group(2)]
        return (m.group(1), lo or None, hi)
    m = re.fullmatch(r"NLA_POLICY_(MIN|MAX|RANGE)\((NLA_\w+),(.*)\)", text)
    if m:
        kind, typ, args = m.group(1), m.group(2), [a.strip() for a in m.group(3).split(",")]
        vals = [consts.eval(a) for a in args]
        lo = vals[0] if kind in ("MIN", "RANGE") else None
        hi = vals[-1] if kind in ("MAX", "RANGE") else None
        return (typ, lo, hi)
    m = re.fullmatch(r"\{\s*\.type\s*=\s*(NLA_\w+)\s*,?\s*\}", text)
    if m:
        return (m.group(1), None, None)
    raise ValueError(f"policy entry not understood: {text}")


def parse_policies(text, consts):
    """name -> (maxattr value, {attr: (type, min, max)})."""
    out = {}
    ranges = parse_ranges(strip_comments(text), consts)
    for m in POLICY_RE.finditer(strip_comments(text)):
        name, size, body = m.groups()
        entries = {}
        for e in ENTRY_RE.finditer(body.strip()):
            entries[e.group(1)] = parse_policy_entry(e.group(2), consts, ranges)
        out[name] = (consts.eval(size) - 1, entries)
    return out


def parse_ops(text):
    """cmd -> {field: value} from a genl_ops / genl_split_ops table."""
    body = strip_comments(text)
    m = re.search(r"genl_(?:split_)?ops\s+\w+\s*\[[^\]]*\]\s*=\s*\{(.*?)\n\};", body, re.S)
    if not m:
        raise ValueError("no ops table")
    ops = {}
    for blk in re.findall(r"\{(.*?)\}", m.group(1), re.S):
        fields = dict(re.findall(r"\.(\w+)\s*=\s*([^,]+)", blk))
        fields = {k: v.strip() for k, v in fields.items()}
        ops[fields["cmd"]] = fields
    return ops


def compare_policies(gen_c, request_c, netlink_c, consts):
    """The spec's per-command policies against the module's, by meaning."""
    gen_pol = parse_policies(gen_c, consts)
    mod_pol = parse_policies(request_c, consts)
    gen_ops, mod_ops = parse_ops(gen_c), parse_ops(netlink_c)
    probs = []
    for cmd in sorted(set(gen_ops) | set(mod_ops)):
        if cmd not in mod_ops:
            probs.append(f"{cmd}: in the spec, not in kmod/netlink.c's ops table")
            continue
        if cmd not in gen_ops:
            probs.append(f"{cmd}: in kmod/netlink.c's ops table, not in the spec")
            continue
        g, k = gen_ops[cmd].get("policy"), mod_ops[cmd].get("policy")
        if (g is None) != (k is None):
            probs.append(f"{cmd}: policy {k} in kmod/netlink.c, {g} in the spec")
            continue
        if g is None:
            continue
        if k not in mod_pol:
            probs.append(f"{cmd}: policy {k} not found in kmod/request.c")
            continue
        gmax, gent = gen_pol[g]
        kmax, kent = mod_pol[k]
        km = consts.eval(mod_ops[cmd]["maxattr"])
        if km != kmax:
            probs.append(f"{cmd}: .maxattr {km} but policy {k} has {kmax + 1} entries")
        if gmax != km:
            probs.append(f"{cmd}: maxattr {km} in kmod/, {gmax} in the spec")
        for attr in sorted(set(gent) | set(kent)):
            if attr not in kent:
                probs.append(f"{cmd}: {attr} {gent[attr]} is in the spec's request, not in {k}")
            elif attr not in gent:
                probs.append(f"{cmd}: {attr} {kent[attr]} is in {k}, not in the spec's request")
            elif gent[attr] != kent[attr]:
                probs.append(f"{cmd}: {attr} is (type, min, max) {kent[attr]} in {k}, "
                             f"{gent[attr]} in the spec")
    return probs


PUT_TYPES = {"u8": "u8", "u16": "u16", "u32": "u32", "u64_64bit": "u64",
             "string": "string", "flag": "flag"}


def compare_replies(spec, netlink_c):
    """The attributes each command's handler puts in its reply (through the
    helpers and job callbacks it names) against the spec's reply lists, and
    their nla_put_* types against the spec's types."""
    body = strip_comments(netlink_c)
    # every top-level definition of the file: functions and tables
    defs = {}
    pos = [(m.start(), m.group(1)) for m in
           re.finditer(r"^[A-Za-z][ \t\w\*]*?\b(\w+)\s*(?:\(|\[\]\s*=)", body, re.M)]
    for i, (start, name) in enumerate(pos):
        end = pos[i + 1][0] if i + 1 < len(pos) else len(body)
        defs.setdefault(name, body[start:end])
    a_types = {"KCOLLAPSE_A_" + a["name"].upper().replace("-", "_"): a["type"]
               for a in attr_set(spec, "kcollapse")["attributes"]}
    r_types = {"KCOLLAPSE_R_" + a["name"].upper().replace("-", "_"): a["type"]
               for a in attr_set(spec, "result")["attributes"]}
    types = {**a_types, **r_types}

    def puts(name, seen):
        """{attr: type} put by definition NAME and what it names."""
        if name in seen or name not in defs:
            return {}
        seen.add(name)
        text = defs[name]
        out = {}
        for m in re.finditer(r"\bnla_put_(\w+)\(\s*\w+\s*,\s*(KCOLLAPSE_[AR]_\w+)", text):
            out[m.group(2)] = PUT_TYPES.get(m.group(1), m.group(1))
        for m in re.finditer(r"\bnla_nest_start\w*\(\s*\w+\s*,\s*(KCOLLAPSE_[AR]_\w+)", text):
            out[m.group(1)] = "nest"
        for m in re.finditer(r"\bKC_STAT\(\s*(KCOLLAPSE_R_\w+)", text):
            out[m.group(1)] = "u64"
        for ident in set(re.findall(r"\b\w+\b", text)) - {name}:
            if ident in defs:
                out.update(puts(ident, seen))
        return out

    probs = []
    mod_ops = parse_ops(netlink_c)
    all_puts = {}
    for op in spec["operations"]["list"]:
        if "do" not in op:
            continue
        cmd = "KCOLLAPSE_CMD_" + op["name"].upper().replace("-", "_")
        doit = mod_ops.get(cmd, {}).get("doit")
        if not doit:
            probs.append(f"{cmd}: no doit in kmod/netlink.c")
            continue
        put = puts(doit, set())
        all_puts.update(put)
        want = {"KCOLLAPSE_A_" + a.upper().replace("-", "_")
                for a in op["do"].get("reply", {}).get("attributes", [])}
        got = {a for a in put if a.startswith("KCOLLAPSE_A_")}
        for a in sorted(got - want):
            probs.append(f"{cmd}: {doit} replies with {a}, the spec's reply does not list it")
        for a in sorted(want - got):
            probs.append(f"{cmd}: the spec's reply lists {a}, {doit} never puts it")
    want_r = {a for a, t in r_types.items() if t not in ("pad", "unused")}
    got_r = {a for a in all_puts if a.startswith("KCOLLAPSE_R_")}
    for a in sorted(want_r - got_r):
        probs.append(f"{a}: in the spec's result set, never put by kmod/netlink.c")
    for a in sorted(got_r - want_r):
        probs.append(f"{a}: put by kmod/netlink.c, not in the spec's result set")
    for a, t in sorted(all_puts.items()):
        if a in types and types[a] != t:
            probs.append(f"{a}: put as {t} by kmod/netlink.c, {types[a]} in the spec")
    for m in re.finditer(r"nla_put_u64_64bit\([^;]*?,\s*(KCOLLAPSE_[AR]_\w+)\s*\)", body):
        if types.get(m.group(1)) != "pad":
            probs.append(f"{m.group(1)} pads a u64 in kmod/netlink.c, the spec's type is "
                         f"{types.get(m.group(1))}")
    return probs


class Tap:
    def __init__(self):
        self.n = self.passed = self.failed = 0

    def check(self, desc, probs):
        self.n += 1
        if probs:
            self.failed += 1
            print(f"not ok {self.n} - {desc}")
            for p in probs:
                print(f"#   {p}")
        else:
            self.passed += 1
            print(f"ok {self.n} - {desc}")

    def end(self):
        print(f"1..{self.n}")
        print(f"{self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0


def ynl_gen(ksrc, tmp, mode, header):
    out = os.path.join(tmp, f"{mode}.{'h' if header else 'c'}")
    proc = subprocess.run(
        [sys.executable, os.path.join(ksrc, "tools/net/ynl/ynl-gen-c.py"),
         "--mode", mode, "--header" if header else "--source",
         "--spec", os.path.join(tmp, "Documentation/netlink/specs/kcollapse.yaml"),
         "-o", out], capture_output=True, text=True, timeout=60, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"ynl-gen-c.py --mode {mode}: {proc.stdout}{proc.stderr}".strip())
    return read(out)


def main():
    ksrc = sys.argv[1]
    tap = Tap()
    spec_text = read(SPEC)
    spec = yaml.safe_load(spec_text)
    schema_path = os.path.join(ksrc, "Documentation/netlink", spec.get("protocol", "genetlink") + ".yaml")

    probs = []
    first = spec_text.splitlines()[0]
    if first != f"# SPDX-License-Identifier: {LICENSE}":
        probs.append(f"first line {first!r}: the kernel's specs are {LICENSE}")
    try:
        jsonschema.validate(spec, yaml.safe_load(read(schema_path)))
    except jsonschema.ValidationError as e:
        probs.append(f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}")
    tap.check(f"spec valid against the kernel's {os.path.basename(schema_path)}", probs)

    # ynl-gen-c wants the kernel's layout: the spec under
    # Documentation/netlink/specs/, its schema one level up, MAINTAINERS
    # at the root.
    with tempfile.TemporaryDirectory(prefix="kc-ynl.") as tmp:
        d = os.path.join(tmp, "Documentation/netlink/specs")
        os.makedirs(d)
        shutil.copy(SPEC, d)
        os.symlink(schema_path, os.path.join(tmp, "Documentation/netlink", os.path.basename(schema_path)))
        open(os.path.join(tmp, "MAINTAINERS"), "w").close()
        gen = {}
        for mode, header in (("uapi", True), ("kernel", False)):
            try:
                gen[mode] = ynl_gen(ksrc, tmp, mode, header)
                tap.check(f"ynl-gen-c.py --mode {mode} renders the spec", [])
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                tap.check(f"ynl-gen-c.py --mode {mode} renders the spec", str(e).splitlines())

    hand = read(UAPI)
    consts = Consts()
    consts.add_text(hand)
    for h in KMOD_H:
        consts.add_text(read(h))
    request_c, netlink_c = read(REQUEST_C), read(NETLINK_C)

    if "uapi" in gen:
        tap.check("include/uapi/linux/kcollapse.h: every name and value as in the spec",
                  compare_uapi(hand, gen["uapi"]))
    tap.check("include/uapi/linux/kcollapse.h: attribute type notes as in the spec",
              compare_header_comments(hand, spec))
    if "kernel" in gen:
        tap.check("kmod/request.c policies and kmod/netlink.c ops as the spec's",
                  compare_policies(gen["kernel"], request_c, netlink_c, consts))
    tap.check("kmod/netlink.c replies: attributes and types as in the spec",
              compare_replies(spec, netlink_c))

    # The check catches what it is for: a new attribute (KCOLLAPSE_A_SELFTEST,
    # u32, after the last one) added to the header and to the COLLAPSE
    # policy but not to the spec.
    if "uapi" in gen and "kernel" in gen:
        mut_h = hand.replace("\tKCOLLAPSE_A_ACCESS_STATUS,\t/* string */\n",
                             "\tKCOLLAPSE_A_ACCESS_STATUS,\t/* string */\n"
                             "\tKCOLLAPSE_A_SELFTEST,\t\t/* u32 */\n")
        mut_c = request_c.replace("\t[KCOLLAPSE_A_NO_WAIT]\t\t= { .type = NLA_FLAG },\n",
                                  "\t[KCOLLAPSE_A_NO_WAIT]\t\t= { .type = NLA_FLAG },\n"
                                  "\t[KCOLLAPSE_A_SELFTEST]\t\t= { .type = NLA_U32 },\n")
        mut_consts = Consts()
        mut_consts.add_text(mut_h)
        for h in KMOD_H:
            mut_consts.add_text(read(h).replace("#define KC_COLLAPSE_MAXATTR\tKCOLLAPSE_A_PIDFD",
                                                "#define KC_COLLAPSE_MAXATTR\tKCOLLAPSE_A_SELFTEST"))
        mut_n = read(NETLINK_C)
        probs = []
        if mut_h == hand or mut_c == request_c:
            probs.append("the mutation did not apply (header or request.c changed form)")
        else:
            ph = compare_uapi(mut_h, gen["uapi"])
            pp = compare_policies(gen["kernel"], mut_c, mut_n, mut_consts)
            if not any("KCOLLAPSE_A_SELFTEST" in p for p in ph):
                probs.append("a header with KCOLLAPSE_A_SELFTEST passed the header check")
            if not any("KCOLLAPSE_A_SELFTEST" in p for p in pp):
                probs.append("a COLLAPSE policy with KCOLLAPSE_A_SELFTEST passed the policy check")
        tap.check("self-test: an attribute added to the header and policy only is caught", probs)
    return tap.end()


if __name__ == "__main__":
    sys.exit(main())
