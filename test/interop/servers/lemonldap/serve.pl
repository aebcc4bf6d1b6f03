#!/usr/bin/perl
# What the launcher runs: binds a free loopback port and prints it, waits for one line on stdin (the
# launcher has then written the configuration, whose portal URL holds that port), and becomes Starman,
# the preforking PSGI server, serving app.psgi on that socket (handed over the way Server::Starter
# does). A single-process server will not do: Chromium keeps idle connections to the portal open, and
# one of those would hold the token endpoint for everyone else.
use strict;
use warnings;
use File::Basename qw(dirname);
use Fcntl qw(F_GETFD F_SETFD FD_CLOEXEC);
use IO::Socket::INET;

my $sock = IO::Socket::INET->new(
    LocalAddr => '127.0.0.1',
    LocalPort => 0,
    Listen    => 128,
    ReuseAddr => 1,
    Proto     => 'tcp',
) or die "cannot listen on 127.0.0.1: $!\n";
my $port = $sock->sockport;
$| = 1;
print "bound port $port\n";
defined( my $go = <STDIN> ) or die "the launcher went away before writing the configuration\n";

# Keep the socket open across exec, and tell Starman which descriptor it is.
fcntl( $sock, F_SETFD, fcntl( $sock, F_GETFD, 0 ) & ~FD_CLOEXEC ) or die "fcntl: $!\n";
$ENV{SERVER_STARTER_PORT} = "127.0.0.1:$port=" . fileno($sock);
exec '/usr/bin/starman', '--workers', '3', '--preload-app', dirname(__FILE__) . '/app.psgi'
  or die "cannot run starman: $!\n";
