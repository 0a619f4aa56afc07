#!/usr/bin/perl
# SPDX-License-Identifier: GPL-2.0-only
# A test SMSC built on Debian's Net::SMPP (libnet-smpp-perl), a peer the
# project did not write: it accepts one ESME (bind_transceiver), takes
# every submit_sm, hands its user data to the card through a
# `vsimctl ota terminal` coprocess (the network and the handset), and
# sends whatever the card sends back (SMS-SUBMIT: the PoR) to the ESME as
# deliver_sm. Each submit_sm is logged to stdout as
#   submit esm=HH pid=HH dcs=HH to=NUMBER ud=HEX
# With SMSC_MENU=APP in the environment the handset's user picks APP from
# the card's menu once the ESME is bound: the card's request SMS reaches
# the ESME as deliver_sm (vsimctl ota serve).
# usage: smsc.pl PORT MSISDN VSIMCTL-ARGS...   (prints "listening" first)
use strict;
use warnings;
use IO::Handle;
use IPC::Open2;
use Net::SMPP;

my ($port, $msisdn, @term) = @ARGV;
STDOUT->autoflush(1);
my $srv = Net::SMPP->new_listen('127.0.0.1', port => $port)
	or die "listen: $!";
print "listening\n";
my $pid = open2(my $from_card, my $to_card, @term);
$to_card->autoflush(1);
my $esme = $srv->accept or die "accept: $!";
my $n = 0;

# The card's lines up to ".": each SMS it sends goes to the ESME.
sub from_card {
	while (my $l = <$from_card>) {
		chomp $l;
		last if $l eq '.';
		print "card $l\n";
		next unless $l =~ /^mo (\S+) ([0-9A-F]+)$/;
		$esme->deliver_sm(source_addr => $msisdn, source_addr_ton => 1,
				  destination_addr => $1,
				  esm_class => 0x40, protocol_id => 0x7f,
				  data_coding => 0xf6,
				  short_message => pack('H*', $2),
				  async => 1);
	}
}

while (my $pdu = $esme->read_pdu) {
	my $cmd = $pdu->{cmd};
	if ($cmd == Net::SMPP::CMD_bind_transceiver) {
		$esme->bind_transceiver_resp(seq => $pdu->{seq},
					     system_id => 'perlsmsc');
		if ($ENV{SMSC_MENU}) {
			print $to_card "menu $ENV{SMSC_MENU}\n";
			from_card();
		}
	} elsif ($cmd == Net::SMPP::CMD_enquire_link) {
		$esme->enquire_link_resp(seq => $pdu->{seq});
	} elsif ($cmd == Net::SMPP::CMD_unbind) {
		$esme->unbind_resp(seq => $pdu->{seq});
		last;
	} elsif ($cmd == Net::SMPP::CMD_submit_sm) {
		$n++;
		$esme->submit_sm_resp(seq => $pdu->{seq}, message_id => "m$n");
		my $ud = unpack('H*', $pdu->{short_message});
		printf "submit esm=%02x pid=%02x dcs=%02x to=%s ud=%s\n",
			$pdu->{esm_class}, $pdu->{protocol_id},
			$pdu->{data_coding}, $pdu->{destination_addr}, $ud;
		# to the handset: the ESME's source becomes the SMS's originator
		print $to_card "+4900000001 $ud\n";
		from_card();
	}
	# deliver_sm_resp and other responses: nothing to do
}
close $to_card;
waitpid $pid, 0;
print "done\n";
