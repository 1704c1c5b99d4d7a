# forager's dead-man, PID 1 of a sandbox (perl-base only): it ends the sandbox after its
# lifetime ($ARGV[0] seconds) whatever happens to the harvester, and reaps orphans meanwhile.
# As PID 1 of its PID namespace it gets no signal from inside the sandbox that it has no
# handler for, and it handles only SIGCHLD: `kill -9 -1`, `kill 1` or `kill -9 1` from the
# agent cannot end the sandbox early.
use strict;
use warnings;
use POSIX ();

$SIG{$_} = 'IGNORE' for qw(HUP INT QUIT TERM USR1 USR2 ALRM PIPE TSTP TTIN TTOU);
# A handler, so that a child's end interrupts the sleep below and is reaped at once.
$SIG{CHLD} = sub { };
my $end = time + ($ARGV[0] // 0);
while (1) {
    1 while waitpid(-1, POSIX::WNOHANG()) > 0;
    my $left = $end - time;
    last if $left <= 0;
    sleep($left < 5 ? $left : 5);
}
exit 0;
