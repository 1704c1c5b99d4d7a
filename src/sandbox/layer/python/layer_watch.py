"""forager's writable-layer watcher: one process per sandbox, on the host, as root.

It keeps an index of a sandbox's overlay upper directory (what the sandbox changed since it
started) and reports, on request, what changed since the previous report, and at once when
the layer grows past the disk limit. The tree it reads is shaped by an untrusted agent, so:

- names are bytes, never decoded to look anything up;
- no path is ever resolved: every directory is opened relative to its parent's descriptor
  with O_NOFOLLOW (a symbolic link swapped in for a directory is read as a link, never
  followed), and entries are stat'ed relative to their directory's descriptor;
- every entry is counted, whatever its name or depth (a path may be far longer than
  PATH_MAX: nothing here builds one to open it);
- the work follows the change, not the layer: after one walk at start, inotify says which
  entries to look at again; when the kernel's event queue overflows, or there are more
  folders than inotify watches, a full walk (still by descriptors) takes over and says so.

Protocol: newline-terminated JSON. The harvester writes commands on stdin ({"op": "read"},
{"op": "prime"}, {"op": "quit"}); the watcher answers each with one line on stdout, and
writes {"event": "disk", ...} lines on its own when the layer passes the limit. It exits
when stdin closes (the harvester is gone). Standard library only.
"""

import base64
import ctypes
import heapq
import errno
import json
import os
import select
import stat
import struct
import sys

IN_MODIFY = 0x2
IN_ATTRIB = 0x4
IN_CLOSE_WRITE = 0x8
IN_MOVED_FROM = 0x40
IN_MOVED_TO = 0x80
IN_CREATE = 0x100
IN_DELETE = 0x200
IN_DELETE_SELF = 0x400
IN_MOVE_SELF = 0x800
IN_Q_OVERFLOW = 0x4000
IN_IGNORED = 0x8000
IN_ONLYDIR = 0x1000000
IN_EXCL_UNLINK = 0x4000000
IN_ISDIR = 0x40000000
IN_NONBLOCK = 0o4000
IN_CLOEXEC = 0o2000000
# Watches are added on /proc/self/fd/N of a descriptor opened without following links, so
# the magic link must be followed (no IN_DONT_FOLLOW): it names the folder itself, not a path.
WATCH_MASK = (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE
              | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK)
EVENT_HEADER = struct.Struct("iIII")

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC | getattr(os, "O_NOATIME", 0)


def open_child_dir(parent_fd, name):
    """A directory entry opened as a directory, never through a link; None when it is not one (any more)."""
    try:
        return os.open(name, DIR_FLAGS, dir_fd=parent_fd)
    except OSError as error:
        if error.errno == errno.EPERM and DIR_FLAGS & getattr(os, "O_NOATIME", 0):
            try:
                return os.open(name, DIR_FLAGS & ~os.O_NOATIME, dir_fd=parent_fd)
            except OSError:
                return None
        return None


def lstat_at(dir_fd, name):
    try:
        return os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except OSError:
        return None


def list_dir(fd):
    """The names in an open directory, as bytes (os.listdir on a descriptor gives str with surrogate escapes)."""
    try:
        return [os.fsencode(n) for n in os.listdir(fd)]
    except OSError:
        return None


def signature(st):
    """(kind, size, mtime_ns, inode, blocks, nlink): f file, l link, d dir, w whiteout, s special."""
    mode = st.st_mode
    if stat.S_ISCHR(mode) and st.st_rdev == 0:
        kind = "w"
    elif stat.S_ISDIR(mode):
        kind = "d"
    elif stat.S_ISLNK(mode):
        kind = "l"
    elif stat.S_ISREG(mode):
        kind = "f"
    else:
        kind = "s"
    return (kind, st.st_size, st.st_mtime_ns, st.st_ino, st.st_blocks, st.st_nlink)


class Dir:
    """One folder of the layer: its name under its parent, its entries and its inotify watch."""

    __slots__ = ("parent", "name", "entries", "children", "wd", "in_lower")

    def __init__(self, parent, name):
        self.parent = parent
        self.name = name
        self.entries = {}  # name bytes -> signature (folders included)
        self.children = {}  # name bytes -> Dir
        self.wd = -1
        self.in_lower = None  # unknown until asked

    def path(self):
        parts = []
        node = self
        while node.parent is not None:
            parts.append(node.name)
            node = node.parent
        return b"/" + b"/".join(reversed(parts)) if parts else b""


class Smallest:
    """The n smallest changes of a stream (by path), in a max-heap of n, and how many came."""

    def __init__(self, n):
        self.n = n
        self.heap = []  # (Descending(path), sequence, change)
        self.total = 0

    def add(self, change):
        self.total += 1
        if self.n <= 0:
            return
        item = (Descending(change[0]), self.total, change)
        if len(self.heap) < self.n:
            heapq.heappush(self.heap, item)
        elif change[0] < self.heap[0][0].path:
            heapq.heapreplace(self.heap, item)

    def sorted(self):
        return sorted(change for _, _, change in self.heap)


class Descending:
    """A path ordered backwards: heapq's min-heap then holds the largest of those kept on top."""

    __slots__ = ("path",)

    def __init__(self, path):
        self.path = path

    def __lt__(self, other):
        return self.path > other.path

    def __eq__(self, other):
        return self.path == other.path


class ChangeSink:
    """Where a report's changes go: pruned folders counted, the rest split at the workdir."""

    def __init__(self, workdir, pruned, max_inside, max_outside):
        self.workdir = workdir
        self.pruned_names = pruned
        self.pruned = 0
        self.inside = Smallest(max_inside)
        self.outside = Smallest(max_outside)

    def add(self, change):
        path = change[0]
        if any((b"/" + p + b"/") in path or path.endswith(b"/" + p) for p in self.pruned_names):
            self.pruned += 1
            return
        (self.inside if path.startswith(self.workdir) else self.outside).add(change)


class Layer:
    def __init__(self, config):
        self.upper = config["upper"].encode()
        # Where the upper directory is seen in the sandbox: its paths are recorded under it.
        self.prefix = config.get("root", "/").encode().rstrip(b"/")
        self.lowers = [l.encode() for l in config["lowers"]]
        self.limit = config["limitBytes"]
        self.workdir = config["workdir"].encode().rstrip(b"/") + b"/"
        self.pruned = [p.encode() for p in config["pruned"]]
        self.max_inside = config["maxInside"]
        self.max_outside = config["maxOutside"]
        self.max_path = config["maxPath"]
        self.max_expanded = config["maxExpanded"]
        self.root_fd = os.open(self.upper, DIR_FLAGS)
        self.lower_fds = [os.open(l, DIR_FLAGS) for l in self.lowers]
        self.root = Dir(None, b"")
        self.by_wd = {}
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.libc.inotify_init1.argtypes = [ctypes.c_int]
        self.libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
        self.libc.inotify_rm_watch.argtypes = [ctypes.c_int, ctypes.c_int]
        self.ifd = self.libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        self.watching = self.ifd >= 0
        self.total = 0  # bytes held (allocated blocks), hard links counted once
        self.links = {}  # inode -> [names, blocks] for files with more than one link
        self.dirty = {}  # (Dir, name) -> signature at the last report (None: absent)
        self.primed = False
        self.walks = 0  # full walks since the last report (overflow, no watch left)
        self.peak = 0  # the largest total seen since the last report
        self.announced = False
        self.walk_dir(self.root, self.root_fd, mark=False)
        self.peak = self.total

    # -- descriptors -------------------------------------------------------------------

    def open_dir(self, node):
        """A descriptor of a known folder, opened from the layer's root one name at a time."""
        chain = []
        while node.parent is not None:
            chain.append(node.name)
            node = node.parent
        fd = os.dup(self.root_fd)
        for name in reversed(chain):
            child = open_child_dir(fd, name)
            os.close(fd)
            if child is None:
                return None
            fd = child
        return fd

    # -- accounting --------------------------------------------------------------------

    def account(self, sig, sign):
        kind, _, _, ino, blocks, nlink = sig
        size = blocks * 512
        if kind == "f" and nlink > 1:
            entry = self.links.get(ino)
            if sign > 0:
                if entry is None:
                    self.links[ino] = [1, size]
                    self.total += size
                else:
                    entry[0] += 1
            else:
                if entry is not None:
                    entry[0] -= 1
                    if entry[0] <= 0:
                        self.total -= entry[1]
                        del self.links[ino]
            return
        self.total += sign * size

    def set_entry(self, node, name, sig, mark=True):
        old = node.entries.get(name)
        if mark and (node, name) not in self.dirty:
            self.dirty[(node, name)] = old
        if old is not None:
            self.account(old, -1)
        if sig is None:
            node.entries.pop(name, None)
        else:
            node.entries[name] = sig
            self.account(sig, +1)
            # A write through one name of a hard-linked file changes what every name holds.
            if sig[0] == "f" and sig[5] > 1:
                entry = self.links.get(sig[3])
                if entry is not None and entry[1] != sig[4] * 512:
                    self.total += sig[4] * 512 - entry[1]
                    entry[1] = sig[4] * 512
        if self.total > self.peak:
            self.peak = self.total

    # -- walking -----------------------------------------------------------------------

    def add_watch(self, node, fd):
        if not self.watching:
            return
        wd = self.libc.inotify_add_watch(self.ifd, ("/proc/self/fd/%d" % fd).encode(), WATCH_MASK)
        if wd < 0:
            # ENOSPC: no watch left (max_user_watches). Every later report walks the layer.
            self.watching = False
            return
        old = self.by_wd.get(wd)
        if old is not None and old is not node:
            old.wd = -1
        node.wd = wd
        self.by_wd[wd] = node

    def walk_dir(self, node, fd, mark=True):
        """Read one folder and everything under it into the index (entries not seen before are changes)."""
        self.add_watch(node, fd)
        names = list_dir(fd)
        if names is None:
            return
        seen = set(names)
        for name in list(node.entries):
            if name not in seen:
                self.drop(node, name, mark)
        for name in names:
            st = lstat_at(fd, name)
            if st is None:
                self.drop(node, name, mark)
                continue
            sig = signature(st)
            old = node.entries.get(name)
            if old != sig:
                self.set_entry(node, name, sig, mark)
            if sig[0] == "d":
                child = node.children.get(name)
                if child is None:
                    child = Dir(node, name)
                    node.children[name] = child
                child_fd = open_child_dir(fd, name)
                if child_fd is None:
                    continue
                try:
                    self.walk_dir(child, child_fd, mark)
                finally:
                    os.close(child_fd)
            elif name in node.children:
                self.forget_subtree(node, name, mark)

    def drop(self, node, name, mark=True):
        """An entry gone: it, and everything under it when it was a folder."""
        if name in node.children:
            self.forget_subtree(node, name, mark)
        if name in node.entries:
            self.set_entry(node, name, None, mark)

    def forget_subtree(self, node, name, mark=True):
        child = node.children.pop(name)
        stack = [child]
        while stack:
            current = stack.pop()
            if current.wd >= 0 and self.by_wd.get(current.wd) is current:
                del self.by_wd[current.wd]
                self.libc.inotify_rm_watch(self.ifd, current.wd)
            for entry in list(current.entries):
                self.set_entry(current, entry, None, mark)
            stack.extend(current.children.values())
            current.children = {}

    def rescan(self):
        """A full walk: the event stream cannot be trusted (overflow) or there is none (no watch left)."""
        self.walks += 1
        fd = os.dup(self.root_fd)
        try:
            self.walk_dir(self.root, fd)
        finally:
            os.close(fd)

    # -- events ------------------------------------------------------------------------

    def look_again(self, node, name):
        fd = self.open_dir(node)
        if fd is None:
            return
        try:
            st = lstat_at(fd, name)
            if st is None:
                self.drop(node, name)
                return
            sig = signature(st)
            if sig[0] == "d":
                child = node.children.get(name)
                if child is None:
                    child = Dir(node, name)
                    node.children[name] = child
                if node.entries.get(name) != sig:
                    self.set_entry(node, name, sig)
                child_fd = open_child_dir(fd, name)
                if child_fd is not None:
                    try:
                        # A new folder may hold entries made before its watch was added.
                        self.walk_dir(child, child_fd)
                    finally:
                        os.close(child_fd)
            else:
                if name in node.children:
                    self.forget_subtree(node, name)
                if node.entries.get(name) != sig:
                    self.set_entry(node, name, sig)
        finally:
            os.close(fd)

    def drain(self):
        """Take every queued inotify event; True when the queue overflowed."""
        if not self.watching:
            return False
        overflow = False
        touched = {}
        while True:
            try:
                buf = os.read(self.ifd, 1 << 20)
            except BlockingIOError:
                break
            except OSError as error:
                if error.errno == errno.EINTR:
                    continue
                raise
            if not buf:
                break
            at = 0
            while at + EVENT_HEADER.size <= len(buf):
                wd, mask, cookie, length = EVENT_HEADER.unpack_from(buf, at)
                name = buf[at + EVENT_HEADER.size:at + EVENT_HEADER.size + length].rstrip(b"\0")
                at += EVENT_HEADER.size + length
                if mask & IN_Q_OVERFLOW:
                    overflow = True
                    continue
                node = self.by_wd.get(wd)
                if node is None:
                    continue
                if mask & IN_IGNORED:
                    if self.by_wd.get(wd) is node:
                        del self.by_wd[wd]
                    node.wd = -1
                    continue
                if not name:
                    continue  # events on the folder itself: its parent's event says what happened
                touched[(node, name)] = True
        # What an event says happened is not trusted, only which names to look at again: a
        # name is read as it is now (overlayfs replaces folders by whiteouts with exchanging
        # renames, whose events arrive in either order). A folder renamed is its old name
        # gone and its new one made: every path under it changed, so it is walked again.
        for node, name in touched:
            self.look_again(node, name)
        return overflow

    # -- reports -----------------------------------------------------------------------

    def dir_in_lower(self, node):
        """Whether some image layer has this folder (cached): no entry of a folder the image lacks is in the image."""
        if node.parent is None:
            return True
        if node.in_lower is None:
            if not self.dir_in_lower(node.parent):
                node.in_lower = False
            else:
                sig = self.lower_sig(self.parts_of(node.parent, node.name), check_parent=False)
                node.in_lower = sig is not None and sig[0] == "d"
        return node.in_lower

    def lower_sig(self, path_parts, node=None, check_parent=True):
        """The path as the image had it, from the topmost lower layer that has it, never through a link."""
        if check_parent and node is not None and not self.dir_in_lower(node):
            return None
        for root in self.lower_fds:
            fd = os.dup(root)
            try:
                for part in path_parts[:-1]:
                    child = open_child_dir(fd, part)
                    os.close(fd)
                    fd = child
                    if fd is None:
                        break
                if fd is None:
                    continue
                st = lstat_at(fd, path_parts[-1])
                if st is not None:
                    sig = signature(st)
                    return None if sig[0] == "w" else sig
            finally:
                if fd is not None:
                    os.close(fd)
        return None

    def lower_files(self, path_parts, still_there):
        """Every non-folder entry the image had under a folder that is now gone; (listed, omitted)."""
        out = []
        omitted = 0
        seen = set()
        for root in self.lower_fds:
            fd = os.dup(root)
            ok = True
            for part in path_parts:
                child = open_child_dir(fd, part)
                os.close(fd)
                fd = child
                if fd is None:
                    ok = False
                    break
            if not ok:
                continue
            stack = [(fd, b"/" + b"/".join(path_parts))]
            while stack:
                dfd, prefix = stack.pop()
                names = list_dir(dfd) or []
                for name in names:
                    child_path = prefix + b"/" + name
                    if child_path in seen:
                        continue
                    seen.add(child_path)
                    st = lstat_at(dfd, name)
                    if st is None:
                        continue
                    sig = signature(st)
                    if sig[0] == "d":
                        sub = open_child_dir(dfd, name)
                        if sub is not None:
                            stack.append((sub, child_path))
                    elif sig[0] != "w" and not still_there(child_path):
                        if len(out) < self.max_expanded:
                            out.append(child_path)
                        else:
                            omitted += 1
                os.close(dfd)
        return out, omitted

    def is_opaque(self, node):
        fd = self.open_dir(node)
        if fd is None:
            return False
        try:
            return os.getxattr(fd, "trusted.overlay.opaque") == b"y"
        except OSError:
            return False
        finally:
            os.close(fd)

    def parts_of(self, node, name):
        parts = []
        current = node
        while current.parent is not None:
            parts.append(current.name)
            current = current.parent
        parts.reverse()
        parts.append(name)
        return parts

    def report(self):
        overflow = self.drain()
        if overflow or not self.watching:
            self.rescan()
        # Changes stream into the sink, which keeps only what the report shows: memory
        # follows the caps, not the change (99k paths of 3.8 KB each were 400 MB as a list).
        changes = self.sink()
        omitted = 0
        new_dirs = []
        for (node, name), before in self.dirty.items():
            now = node.entries.get(name)
            if before == now:
                continue
            parts = self.parts_of(node, name)
            path = self.prefix + b"/" + b"/".join(parts)
            if now is None:
                if before is not None and before[0] not in ("d", "w"):
                    changes.add((path, "deleted", None))
                continue
            kind = now[0]
            if kind == "d":
                if before is None or before[0] != "d":
                    new_dirs.append((node, name, parts))
                continue
            if kind == "w":
                if before is not None and before[0] == "w":
                    continue
                lower = self.lower_sig(parts, node)
                if lower is not None and lower[0] == "d":
                    listed, extra = self.lower_files(parts, lambda p: False)
                    for p in listed:
                        changes.add((self.prefix + p, "deleted", None))
                    omitted += extra
                else:
                    changes.add((path, "deleted", None))
                continue
            if before is None:
                lower = self.lower_sig(parts, node)
                if lower is None:
                    changes.add((path, "added", now[1]))
                # A copy-up that kept size and mtime (chmod, open for writing) is no change of content.
                elif not (lower[0] == kind and lower[1] == now[1] and lower[2] == now[2]):
                    changes.add((path, "modified", now[1]))
                continue
            if before[0] in ("w", "d"):
                changes.add((path, "added", now[1]))
                continue
            changes.add((path, "modified", now[1]))
        # A folder of the image removed and made again is opaque: the image's files in it that
        # the layer does not hold again are gone.
        for node, name, parts in new_dirs:
            child = node.children.get(name)
            if child is None:
                continue
            lower = self.lower_sig(parts, node)
            if lower is None or lower[0] != "d" or not self.is_opaque(child):
                continue
            listed, extra = self.lower_files(parts, lambda p: self.holds(p))
            for p in listed:
                changes.add((self.prefix + p, "deleted", None))
            omitted += extra
        self.dirty = {}
        peak = self.peak
        self.peak = self.total
        walks = self.walks
        self.walks = 0
        self.announced = self.total > self.limit
        return self.bound(changes, omitted, peak, walks)

    def holds(self, path):
        node = self.root
        parts = path.strip(b"/").split(b"/")
        for part in parts[:-1]:
            node = node.children.get(part)
            if node is None:
                return False
        return parts[-1] in node.entries

    def sink(self):
        return ChangeSink(self.workdir, self.pruned, self.max_inside, self.max_outside)

    def bound(self, changes, omitted, peak, walks):
        return {
            "inside": [self.record(c) for c in changes.inside.sorted()],
            "insideTotal": changes.inside.total,
            "outside": [self.record(c) for c in changes.outside.sorted()],
            "outsideTotal": changes.outside.total,
            "omitted": omitted,
            "pruned": changes.pruned,
            "bytes": self.total,
            "peakBytes": peak,
            "fullWalks": walks,
            "watching": self.watching,
        }

    def record(self, change):
        path, kind, size = change
        out = {"change": kind}
        shown = path[:self.max_path]
        try:
            out["path"] = shown.decode("utf-8")
        except UnicodeDecodeError:
            out["path"] = shown.decode("utf-8", "backslashreplace")
            out["pathBytes"] = base64.b64encode(path[:self.max_path]).decode("ascii")
        if len(path) > self.max_path:
            out["pathLength"] = len(path)
        if size is not None and kind != "deleted":
            out["size"] = size
        return out

    def watch_disk(self):
        """Between reports: take events as they come and say at once when the layer passes the limit."""
        overflow = self.drain()
        if overflow:
            self.rescan()
        if self.total > self.limit and not self.announced:
            self.announced = True
            write({"event": "disk", "bytes": self.total, "limitBytes": self.limit})


def write(message):
    sys.stdout.write(json.dumps(message, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def main():
    config = json.loads(sys.argv[1])
    try:
        layer = Layer(config)
    except OSError as error:
        write({"error": "cannot open the layer: %s" % error})
        return 2
    write({"ready": True, "watching": layer.watching, "bytes": layer.total})
    stdin = sys.stdin.buffer
    pending = b""
    poll = select.poll()
    poll.register(stdin.fileno(), select.POLLIN)
    if layer.watching:
        poll.register(layer.ifd, select.POLLIN)
    while True:
        for fd, _ in poll.poll(None if layer.watching else config["pollMs"]):
            if fd == layer.ifd:
                layer.watch_disk()
                continue
            chunk = os.read(stdin.fileno(), 65536)
            if not chunk:
                return 0
            pending += chunk
            if len(pending) > 65536:
                write({"error": "command too long"})
                return 2
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                op = json.loads(line).get("op")
                if op == "quit":
                    return 0
                if op == "prime":
                    # The baseline must be the layer as it is now: after an overflow the index is not.
                    if layer.drain() or not layer.watching:
                        layer.rescan()
                    layer.walks = 0
                    layer.dirty = {}
                    layer.peak = layer.total
                    write({"primed": True, "bytes": layer.total})
                elif op == "read":
                    write(layer.report())
                elif op == "size":
                    layer.watch_disk()
                    write({"bytes": layer.total})
        if not layer.watching:
            # No event stream: the disk limit is watched by walking, every pollMs.
            layer.rescan()
            if layer.total > layer.limit and not layer.announced:
                layer.announced = True
                write({"event": "disk", "bytes": layer.total, "limitBytes": layer.limit})


if __name__ == "__main__":
    sys.exit(main())
