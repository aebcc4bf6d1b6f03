# LemonLDAP::NG's own portal application, with its static files served from the portal's htdocs as the
# packaged nginx configuration serves them. Starman runs it (see serve.pl).
use strict;
use warnings;
use Plack::Builder;
use Plack::Util;

my $htdocs = '/usr/share/lemonldap-ng/portal/htdocs';
my $portal = Plack::Util::load_psgi("$htdocs/index.psgi");
builder {
    enable 'Static', path => qr{^/static/}, root => $htdocs;
    $portal;
};
