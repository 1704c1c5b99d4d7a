# forager's tool process (perl-base only): one per sandbox, started with it, outside the
# agent's shell. It serves the file tools (read, view, line count, write) byte for byte and
# kills process trees without forking, so a fork bomb holding every PID cannot stop it.
# Requests and answers are frames on stdin/stdout: u32 length, then fields, each a u32 length
# and its bytes. A request is `id op args…`; an answer is `id chunk bytes` (any number) then
# `id end status stdout-tail stderr` — status and streams as the POSIX sh scripts of
# file-tools/scripts.ts give them, so either implementation serves the same callers.
use strict;
use warnings;
use POSIX ();
use Fcntl qw(O_WRONLY O_CREAT O_TRUNC);

$SIG{PIPE} = 'IGNORE';
binmode STDIN;
binmode STDOUT;
umask 022;
my $CHUNK = 65536;

send_frame('0', 'hello', $$);
while (defined(my $request = read_frame())) {
    my ($id, $op, @args) = @$request;
    my $handler = { read => \&op_read, view => \&op_view, lines => \&op_lines, write => \&op_write,
                    kill => \&op_kill, ping => \&op_ping, count => \&op_count }->{$op // ''};
    if (!$handler) { finish($id, 2, '', "unknown operation\n"); next; }
    $handler->($id, @args);
}
exit 0;

sub read_exact {
    my ($n) = @_;
    my $buf = '';
    while (length($buf) < $n) {
        my $got = sysread(STDIN, $buf, $n - length($buf), length $buf);
        return undef unless $got;
    }
    return $buf;
}

sub read_frame {
    my $head = read_exact(4) // return undef;
    my $len = unpack('N', $head);
    my $body = read_exact($len) // return undef;
    my @fields;
    my $at = 0;
    while ($at + 4 <= length $body) {
        my $n = unpack('N', substr($body, $at, 4));
        push @fields, substr($body, $at + 4, $n);
        $at += 4 + $n;
    }
    return \@fields;
}

sub send_frame {
    my $body = join('', map { pack('N', length $_) . $_ } @_);
    my $frame = pack('N', length $body) . $body;
    while (length $frame) {
        my $put = syswrite(STDOUT, $frame);
        exit 0 unless defined $put;
        substr($frame, 0, $put) = '';
    }
}

sub finish { my ($id, $status, $out, $err) = @_; send_frame($id, 'end', $status, $out // '', $err // ''); }

sub enter {
    my ($cwd) = @_;
    chdir($cwd) or chdir('/');
}

# Stream a file's bytes from its start, at most $max of them, as chunks.
sub stream_file {
    my ($id, $fh, $max) = @_;
    my $sent = 0;
    while ($sent < $max) {
        my $want = $max - $sent < $CHUNK ? $max - $sent : $CHUNK;
        my $got = sysread($fh, my $buf, $want);
        return "$!" unless defined $got;
        last if $got == 0;
        send_frame($id, 'chunk', $buf);
        $sent += $got;
    }
    return undef;
}

# cwd path cap: the file's bytes (at most cap+1), or why not (21 missing, 20 folder, 22 not a
# regular file, 23 over cap with its size on stdout).
sub op_read {
    my ($id, $cwd, $path, $cap) = @_;
    enter($cwd);
    return finish($id, 21) unless -e $path;
    return finish($id, 20) if -d _;
    return finish($id, 22) unless -f _;
    my $size = -s _;
    return finish($id, 23, $size) if $size > $cap;
    open(my $fh, '<:raw', $path) or return finish($id, 1, '', "$path: $!\n");
    my $error = stream_file($id, $fh, $cap + 1);
    close $fh;
    return finish($id, 1, '', "$path: $error\n") if defined $error;
    finish($id, 0);
}

# cwd path viewcap first last outcap: lines first..last (last 0: to the end), at most outcap
# bytes; a folder is listed two levels deep without hidden entries (status 20); a whole-file
# view of a file over viewcap is refused with its size (23).
sub op_view {
    my ($id, $cwd, $path, $viewcap, $first, $last, $outcap) = @_;
    enter($cwd);
    return finish($id, 21) unless -e $path;
    return list_folder($id, $path, $outcap) if -d _;
    return finish($id, 22) unless -f _;
    my $size = -s _;
    return finish($id, 23, $size) if $first == 1 && $last == 0 && $size > $viewcap;
    open(my $fh, '<:raw', $path) or return finish($id, 1, '', "$path: $!\n");
    # Chunk by chunk, never a whole line in memory: a 10 GB line costs outcap bytes.
    my ($line, $sent, $pending, $done) = (1, 0, '', 0);
    while (!$done) {
        my $got = sysread($fh, my $buf, $CHUNK);
        return finish($id, 1, '', "$path: $!\n") unless defined $got;
        last if $got == 0;
        my $at = 0;
        while ($at < $got && !$done) {
            if ($line < $first) {
                # Skip whole lines before the range: count them, a chunk at a time.
                my $need = $first - $line;
                my $count = (substr($buf, $at) =~ tr/\n//);
                if ($count < $need) { $line += $count; last; }
                for (1 .. $need) { $at = index($buf, "\n", $at) + 1; }
                $line = $first;
                next;
            }
            # In the range: up to the newline that ends line `last`, or the chunk's end.
            my $end = $got;
            if ($last != 0) {
                my $probe = $at;
                while ($line <= $last) {
                    my $nl = index($buf, "\n", $probe);
                    last if $nl < 0;
                    $probe = $nl + 1;
                    $line += 1;
                }
                if ($line > $last) { $end = $probe; $done = 1; }
            } else {
                $line += (substr($buf, $at) =~ tr/\n//);
            }
            my $piece = substr($buf, $at, $end - $at);
            my $room = $outcap - $sent;
            if (length($piece) >= $room) { $piece = substr($piece, 0, $room); $done = 1; }
            $pending .= $piece;
            $sent += length $piece;
            $at = $end;
        }
        if (length($pending) >= $CHUNK) { send_frame($id, 'chunk', $pending); $pending = ''; }
    }
    close $fh;
    send_frame($id, 'chunk', $pending) if length $pending;
    finish($id, 0);
}

# `find PATH -maxdepth 2 -not -path '*/.*' | sort | head -c outcap`, without the processes.
sub list_folder {
    my ($id, $path, $outcap) = @_;
    my $join = sub { my ($base, $name) = @_; return $base =~ m{/\z} ? "$base$name" : "$base/$name"; };
    my @found = ($path);
    if (opendir(my $dh, $path)) {
        for my $name (readdir $dh) {
            next if $name eq '.' || $name eq '..';
            my $child = $join->($path, $name);
            push @found, $child;
            next unless -d $child && !-l $child;
            if (opendir(my $sub, $child)) {
                for my $inner (readdir $sub) {
                    push @found, $join->($child, $inner) unless $inner eq '.' || $inner eq '..';
                }
                closedir $sub;
            }
        }
        closedir $dh;
    }
    my $listing = join('', map { "$_\n" } sort grep { index($_, '/.') < 0 } @found);
    send_frame($id, 'chunk', substr($listing, 0, $outcap)) if length $listing;
    finish($id, 20);
}

# cwd path: the number of lines, a last line without a newline counted.
sub op_lines {
    my ($id, $cwd, $path) = @_;
    enter($cwd);
    open(my $fh, '<:raw', $path) or return finish($id, 1, '', "$path: $!\n");
    my ($lines, $last) = (0, "\n");
    while (1) {
        my $got = sysread($fh, my $buf, $CHUNK);
        return finish($id, 1, '', "$path: $!\n") unless defined $got;
        last if $got == 0;
        $lines += ($buf =~ tr/\n//);
        $last = substr($buf, -1);
    }
    close $fh;
    $lines += 1 if $last ne "\n";
    finish($id, 0, $lines);
}

# cwd path mode bytes: the bytes become the file, written in place (mode, owner and links
# kept); `new` refuses an existing path, `edit` needs a regular file, `new` and `overwrite`
# make the parent folders. Prints the size written.
sub op_write {
    my ($id, $cwd, $path, $mode, $data) = @_;
    enter($cwd);
    return finish($id, 20) if -d $path;
    if ($mode eq 'new') { return finish($id, 24) if -e $path || -l $path; }
    elsif (-e $path && !-f _) { return finish($id, 22); }
    elsif ($mode eq 'edit' && !-e _) { return finish($id, 22); }
    if ($mode ne 'edit') {
        my $error = make_parents($path);
        return finish($id, 25, '', $error) if defined $error;
    }
    sysopen(my $fh, $path, O_WRONLY | O_CREAT | O_TRUNC, 0666) or return finish($id, 26, '', "$path: $!\n");
    binmode $fh;
    my $at = 0;
    while ($at < length $data) {
        my $put = syswrite($fh, $data, length($data) - $at, $at);
        return finish($id, 26, '', "$path: $!\n") unless defined $put;
        $at += $put;
    }
    close($fh) or return finish($id, 26, '', "$path: $!\n");
    finish($id, 0, -s $path);
}

sub make_parents {
    my ($path) = @_;
    my ($parent) = $path =~ m{\A(.*)/[^/]*\z}s;
    return undef unless defined $parent && length $parent;
    my $built = $parent =~ m{\A/} ? '' : '.';
    for my $part (split m{/+}, $parent) {
        next if $part eq '';
        $built .= "/$part";
        next if -d $built;
        mkdir($built, 0777) or -d $built or return "mkdir: $built: $!\n";
    }
    return undef;
}

sub op_ping { my ($id) = @_; finish($id, 0, 'pong'); }

# The processes the sandbox's /proc lists, this one included: where the host's cgroup cannot
# say (gVisor), the count without a process start, so it works at the PID limit too.
sub op_count {
    my ($id) = @_;
    opendir(my $dh, '/proc') or return finish($id, 1, '', "/proc: $!\n");
    my $n = grep { /\A\d+\z/ } readdir $dh;
    closedir $dh;
    finish($id, 0, $n);
}

# Processes: a /proc/PID/stat line's fields after the command name.
sub stat_of {
    my ($pid) = @_;
    open(my $fh, '<', "/proc/$pid/stat") or return undef;
    my $line = <$fh> // '';
    close $fh;
    return undef unless $line =~ /\)\s+(.*)\z/s;
    return [split ' ', $1];
}

# A PID's children: the kernel's /proc/PID/task/TID/children files where they exist, else
# (gVisor's /proc has none) every process whose parent (stat field 4) it is.
sub children_of {
    my ($pid) = @_;
    my @kids;
    if (-e "/proc/$pid/task/$pid/children") {
        for my $task (glob("/proc/$pid/task/*/children")) {
            open(my $fh, '<', $task) or next;
            push @kids, split(' ', <$fh> // '');
            close $fh;
        }
        return @kids;
    }
    opendir(my $dh, '/proc') or return;
    for my $entry (readdir $dh) {
        next unless $entry =~ /\A\d+\z/;
        my $s = stat_of($entry) or next;
        push @kids, $entry if $s->[1] == $pid;
    }
    closedir $dh;
    return @kids;
}

# Stop a tree root first (nothing stopped can fork again), collecting every PID in it.
sub stop_tree {
    my ($root, $into, $seen) = @_;
    my @todo = ($root);
    while (@todo) {
        my $pid = shift @todo;
        next if $seen->{$pid}++;
        kill('STOP', $pid);
        await_stopped($pid);
        push @$into, $pid;
        push @todo, children_of($pid);
    }
}

# Wait until every process is stopped, a zombie or gone. One kill waits about 2 s at most in
# all (a process that never shows stopped, like a vfork parent in D state, costs no more).
my $stop_waits = 0;
sub await_stopped {
    my (@pids) = @_;
    while ($stop_waits < 2000) {
        @pids = grep { my $s = stat_of($_); $s && $s->[0] !~ /\A[TtZX]\z/ } @pids;
        return unless @pids;
        $stop_waits += 1;
        select(undef, undef, undef, 0.001);
    }
}

# Wait until every victim is gone or a zombie (its parent reaps it): the kill is confirmed.
sub confirm {
    my (@victims) = @_;
    for my $round (1 .. 5000) {
        my @alive = grep { my $s = stat_of($_); $s && $s->[0] ne 'Z' && $s->[0] ne 'X' } @victims;
        return 1 unless @alive;
        kill('KILL', @alive);
        select(undef, undef, undef, 0.001);
    }
    return 0;
}

# mode shell spare…: `command` kills the trees of the shell's children not in spare
# (`pid:starttime`); `shell` kills the shell and everything under it; `all` kills every
# process but PID 1, this process and spare (`pid`). Answers `killed confirmed state cpu
# syscall` — the shell's state after the kill, for deciding whether its command goes on.
sub op_kill {
    my ($id, $mode, $shell, @spare) = @_;
    my (@victims, %seen);
    $stop_waits = 0;
    $seen{$$} = 1;
    $seen{1} = 1;
    if ($mode eq 'all') {
        $seen{$_} = 1 for @spare;
        # Until a listing finds nothing new: only a process not yet stopped can fork, and a
        # bomb whose members exit and fork (bash's own `f | f &`) refills the freed PIDs
        # between two listings, more so where listing /proc is slow (gVisor, a loaded host).
        for my $round (1 .. 200) {
            my @now;
            opendir(my $dh, '/proc') or last;
            for my $entry (readdir $dh) { push @now, $entry if $entry =~ /\A\d+\z/ && !$seen{$entry}; }
            closedir $dh;
            last unless @now;
            for my $pid (@now) { $seen{$pid} = 1; kill('STOP', $pid); push @victims, $pid; }
            # A stop is delivered, not done, when kill returns: a process inside fork may still
            # give birth. Stopped for sure, its children are all in the next listing.
            await_stopped(@now);
        }
    } elsif ($mode eq 'shell') {
        stop_tree($shell, \@victims, \%seen) if stat_of($shell);
    } else {
        my %keep = map { $_ => 1 } @spare;
        for my $child (children_of($shell)) {
            my $s = stat_of($child) or next;
            next if $keep{"$child:$s->[19]"};
            stop_tree($child, \@victims, \%seen);
        }
    }
    kill('KILL', @victims) if @victims;
    my $confirmed = confirm(@victims) ? 1 : 0;
    my $s = $mode eq 'command' ? stat_of($shell) : undef;
    my ($state, $cpu, $syscall) = ('', '', '');
    if ($s) {
        ($state, $cpu) = ($s->[0], $s->[11] + $s->[12]);
        if (open(my $fh, '<', "/proc/$shell/syscall")) { $syscall = <$fh> // ''; chomp $syscall; close $fh; }
        if (open(my $fh, '<', "/proc/$shell/wchan")) { my $w = <$fh> // ''; close $fh; $syscall .= " wchan=$w"; }
    }
    finish($id, 0, join("\0", scalar(@victims), $confirmed, $state, $cpu, $syscall));
}
