# forager's session helper (perl-base only). The parent of the agent's bash; it never runs
# agent code. It passes its stdin (the step lines) on to bash, and times each step from
# there by the sandbox's monotonic clock. Its stdout and stderr are the step's streams,
# shared with bash's fds 250 and 251; bash reports each step's end to it on fd 252 through
# the error message of a redirection that always fails (see session/protocol.ts). The helper
# answers with end markers carrying its own secret, which bash never sees, so nothing in the
# agent's shell can forge them.
#
# argv: NAME=VALUE or NAME (unset) pairs restoring the agent's environment for bash (the
# helper itself runs with PERL5OPT and friends emptied); first, optionally,
# `--socket=PATH TOKEN`: the step streams go over three connections to the harvester's
# Unix socket at PATH (session/socket-transport.ts) instead of this process's own stdio.
use strict;
use warnings;
use POSIX ();
use Fcntl qw(F_GETFL F_SETFL O_NONBLOCK);
use Socket qw(AF_UNIX SOCK_STREAM SHUT_RD pack_sockaddr_un);

if (@ARGV >= 2 && $ARGV[0] =~ /\A--socket=(.+)\z/s) {
    my ($path, $token) = ($1, $ARGV[1]);
    splice(@ARGV, 0, 2);
    my %conn = map { $_ => connect_stream($path, $token, $_) } qw(in out err);
    # The harvester never writes on out or err: a command holding them (fds 250 and 251)
    # reads end-of-file there, never the harvester's bytes.
    shutdown($conn{$_}, SHUT_RD) or die "forager helper: shutdown: $!\n" for qw(out err);
    # Onto fds 0-2, where the rest of the helper (and bash's fds 250 and 251) expect the
    # streams; the engine's own pipes are let go.
    POSIX::dup2(fileno($conn{in}), 0) // die "forager helper: dup2: $!\n";
    POSIX::dup2(fileno($conn{out}), 1) // die "forager helper: dup2: $!\n";
    POSIX::dup2(fileno($conn{err}), 2) // die "forager helper: dup2: $!\n";
    close $_ for values %conn;
}

my @restore = @ARGV;
pipe(my $ctl, my $ctl_w) or die "forager helper: pipe: $!\n";
pipe(my $bash_in, my $to_bash) or die "forager helper: pipe: $!\n";
# Closed on exec (perl marks new pipes so): empty when bash started, else why not.
pipe(my $exec_r, my $exec_w) or die "forager helper: pipe: $!\n";
my $pid = fork() // die "forager helper: fork: $!\n";
if ($pid == 0) {
    close $ctl;
    close $exec_r;
    close $to_bash;
    POSIX::dup2(fileno($bash_in), 0) // POSIX::_exit(127);
    open(my $null, '+<', '/dev/null') or POSIX::_exit(127);
    POSIX::dup2(fileno($ctl_w), 252) // POSIX::_exit(127);
    POSIX::dup2(1, 250) // POSIX::_exit(127);
    POSIX::dup2(2, 251) // POSIX::_exit(127);
    # What bash prints outside a step (a DEBUG trap run for the wrapper, xtrace of it,
    # `set -v` echoes) goes nowhere: only the eval'd command has the real streams.
    POSIX::dup2(fileno($null), 1) // POSIX::_exit(127);
    POSIX::dup2(fileno($null), 2) // POSIX::_exit(127);
    POSIX::close(fileno($ctl_w)) if fileno($ctl_w) != 252;
    POSIX::close(fileno($null));
    for my $pair (@restore) {
        if ($pair =~ /\A([^=]+)=(.*)\z/s) { $ENV{$1} = $2 } else { delete $ENV{$pair} }
    }
    exec { '/bin/bash' } 'bash', '--noprofile', '--norc' or do { syswrite($exec_w, "/bin/bash: $!"); POSIX::_exit(127) };
}
close $exec_w;
if (sysread($exec_r, my $why, 512)) {
    waitpid($pid, 0);
    syswrite(STDOUT, "\x1eFORAGER-NOSHELL $why\n");
    exit 127;
}
close $exec_r;
close $ctl_w;
close $bash_in;
# Only this process: a closed stream must not kill the helper before it reports.
$SIG{PIPE} = 'IGNORE';
fcntl($to_bash, F_SETFL, fcntl($to_bash, F_GETFL, 0) | O_NONBLOCK);
my $clock = clock();

open(my $random, '<:raw', '/dev/urandom') or die "forager helper: /dev/urandom: $!\n";
read($random, my $bytes, 16) == 16 or die "forager helper: /dev/urandom: short read\n";
close $random;
my $secret = unpack('H*', $bytes);
syswrite(STDOUT, "\x1eFORAGER-SESSION $secret $pid perl $$\n");

my ($nonce, $started, $buffer, $pending, $input_open) = ('', undef, '', '', 1);
while (1) {
    my ($r, $w) = ('', '');
    vec($r, fileno($ctl), 1) = 1;
    vec($r, fileno(STDIN), 1) = 1 if $input_open && length($pending) < 1 << 20;
    vec($w, fileno($to_bash), 1) = 1 if length $pending;
    next unless select($r, $w, undef, undef) > 0;
    if ($input_open && vec($r, fileno(STDIN), 1)) {
        my $got = sysread(STDIN, $pending, 65536, length $pending);
        if ($got) { $started //= $clock->(); }
        else { $input_open = 0; }
    }
    if (length($pending) && vec($w, fileno($to_bash), 1)) {
        my $put = syswrite($to_bash, $pending);
        substr($pending, 0, $put) = '' if defined $put;
        $pending = '' if !defined $put && !$!{EAGAIN};
    }
    close $to_bash if !$input_open && !length($pending) && defined fileno($to_bash);
    if (vec($r, fileno($ctl), 1)) {
        my $got = sysread($ctl, $buffer, 65536, length $buffer);
        last unless $got;
        while ($buffer =~ s/\A([^\n]*)\n//) { handle($1) }
        # A line longer than any report is not one of bash's: drop it.
        $buffer = '' if length($buffer) > 65536;
    }
}
waitpid($pid, 0);
my $code = $? & 127 ? 128 + ($? & 127) : $? >> 8;
syswrite(STDERR, "\x1e${secret}X$code\x1e");
syswrite(STDOUT, "\x1e${secret}X$code\x1e");
exit 0;

# One connection to the harvester's socket, announced as `KIND TOKEN`; perl marks it
# close-on-exec (bash gets it only through the dup2s above, as fds 250 and 251).
sub connect_stream {
    my ($path, $token, $kind) = @_;
    socket(my $s, AF_UNIX, SOCK_STREAM, 0) or die "forager helper: socket: $!\n";
    connect($s, pack_sockaddr_un($path)) or die "forager helper: connect $path: $!\n";
    my $hello = "$kind $token\n";
    (syswrite($s, $hello) // 0) == length($hello) or die "forager helper: socket write: $!\n";
    return $s;
}

# One report from bash: `|<nonce>E<status>|` when a step ends (its start is when its lines
# were passed on).
sub handle {
    my ($line) = @_;
    return unless $line =~ m{/proc/self/stat/\|([0-9a-f]{16,64})E(\d{1,3})\|};
    ($nonce, my $status) = ($1, $2);
    my $micros = '';
    if (defined $started) {
        my $now = $clock->();
        $micros = int(($now - $started) * 1e6) if defined $now && defined $started && $now >= $started;
    }
    $started = length($pending) ? $clock->() : undef;
    # The kernel's answer, not $PWD; a folder removed since reads `… (deleted)`: no cwd then.
    my $cwd = readlink("/proc/$pid/cwd") // '';
    $cwd = '' unless -d $cwd;
    syswrite(STDERR, "\x1e$secret${nonce}R");
    syswrite(STDOUT, "\x1e$secret${nonce}O$status\0$cwd\0$micros\0" . children() . "\x1e$secret${nonce}E");
}

# The monotonic clock in seconds, through clock_gettime (perl-base has no Time::HiRes): a
# function returning undef where this machine's system call number is not known.
sub clock {
    my %call = (x86_64 => 228, i686 => 265, i386 => 265, aarch64 => 113, riscv64 => 113, loongarch64 => 113,
                armv7l => 263, armv8l => 263, ppc64le => 246, ppc64 => 246, s390x => 260);
    my $number = $call{(POSIX::uname())[4]};
    return sub { undef } unless defined $number;
    return sub {
        my $buf = "\0" x 16;
        return undef unless syscall($number, 1, $buf) == 0;
        my ($s, $ns) = unpack('q q', $buf);
        return $s + $ns / 1e9;
    };
}

# bash's children now, `pid:starttime` each: the background jobs the next step must spare.
# From the kernel's /proc/PID/task/TID/children files where they exist, else (gVisor's /proc
# has none) every process whose parent (stat field 4) is bash.
sub children {
    my @kids;
    my $listed = -e "/proc/$pid/task/$pid/children";
    my @candidates;
    if ($listed) {
        for my $task (glob("/proc/$pid/task/*/children")) {
            open(my $f, '<', $task) or next;
            push @candidates, split(' ', <$f> // '');
            close $f;
        }
    } elsif (opendir(my $dh, '/proc')) {
        @candidates = grep { /\A\d+\z/ } readdir $dh;
        closedir $dh;
    }
    for my $child (@candidates) {
        open(my $s, '<', "/proc/$child/stat") or next;
        my $stat = <$s> // '';
        close $s;
        next unless $stat =~ /\)\s+(.*)\z/s;
        my @fields = split ' ', $1;
        next unless $listed || $fields[1] == $pid;
        push @kids, "$child:$fields[19]" if defined $fields[19];
        last if @kids >= 4096;
    }
    return join(' ', @kids);
}
