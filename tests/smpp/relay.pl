#!/usr/bin/perl
# SPDX-License-Identifier: GPL-2.0-only
# A test SMSC for several ESMEs, built on Debian's Net::SMPP
# (libnet-smpp-perl), a peer the project did not write: each ESME binds as
# transceiver, its address_range the number it serves (vsim-modem: the
# subscriber's MSISDN) or empty (an application: the OTA server). A
# submit_sm goes on as deliver_sm to the ESME serving its destination,
# or to the application when no ESME serves that number (the OTA
# server's own address). An application's messages leave with APPNUMBER
# as their originator (the address the card knows its server by: a card
# takes no alphanumeric originator), as tests/smpp/smsc.pl does. Lines on
# the FIFO CTL inject an SMS from the
# network: "mt FROM TO DCS HEXTEXT [PID ESM]" (PID and esm_class in hex,
# default 00). Logged to stdout:
#   bind SYSTEM_ID range=NUMBER
#   submit from=SYSTEM_ID src=NUMBER dst=NUMBER esm=HH pid=HH dcs=HH ud=HEX
#   deliver to=SYSTEM_ID src=NUMBER dst=NUMBER pid=HH dcs=HH ud=HEX
#   nowhere dst=NUMBER       (no ESME for a message)
#   unbind SYSTEM_ID
# usage: relay.pl PORT CTL APPNUMBER  (prints "listening" first; runs
# until killed)
use strict;
use warnings;
use IO::Handle;
use IO::Select;
use POSIX qw(mkfifo);
use Fcntl;
use Net::SMPP;

my ($port, $ctl, $appnum) = @ARGV;
STDOUT->autoflush(1);
my $srv = Net::SMPP->new_listen('127.0.0.1', port => $port)
	or die "listen: $!";
mkfifo($ctl, 0600) or -p $ctl or die "mkfifo $ctl: $!";
# read-write: the FIFO never reports end of file
sysopen(my $fifo, $ctl, O_RDWR) or die "open $ctl: $!";
my $sel = IO::Select->new($srv, $fifo);
my %esme;	# fileno => { smpp, id, range }
my $n = 0;
my $fbuf = '';
print "listening\n";

sub route {
	my ($dst, $from) = @_;
	for my $e (values %esme) {
		return $e if $e->{range} ne '' && $e->{range} eq $dst;
	}
	for my $e (values %esme) {
		return $e if $e->{range} eq '' && $e != $from;
	}
	return undef;
}

sub deliver {
	my ($e, %m) = @_;
	printf "deliver to=%s src=%s dst=%s pid=%02x dcs=%02x ud=%s\n",
		$e->{id}, $m{source_addr}, $m{destination_addr},
		$m{protocol_id}, $m{data_coding}, unpack('H*', $m{short_message});
	$e->{smpp}->deliver_sm(%m, async => 1);
}

while (1) {
	for my $fh ($sel->can_read) {
		if ($fh == $srv) {
			my $c = $srv->accept or next;
			$esme{fileno($c)} = { smpp => $c, id => '?', range => '' };
			$sel->add($c);
			next;
		}
		if ($fh == $fifo) {
			sysread($fifo, $fbuf, 4096, length $fbuf) or next;
			while ($fbuf =~ s/^([^\n]*)\n//) {
				my ($from, $to, $dcs, $hex, $pid, $esm) =
					$1 =~ /^mt (\S+) (\S+) ([0-9a-fA-F]{2}) ([0-9a-fA-F]*)(?: ([0-9a-fA-F]{2}) ([0-9a-fA-F]{2}))?$/
					or next;
				my $e = route($to, undef);
				unless ($e) { print "nowhere dst=$to\n"; next; }
				deliver($e, source_addr => $from, source_addr_ton => 1,
					source_addr_npi => 1, destination_addr => $to,
					dest_addr_ton => 1, dest_addr_npi => 1,
					esm_class => hex($esm // '00'),
					protocol_id => hex($pid // '00'),
					data_coding => hex($dcs),
					short_message => pack('H*', $hex));
			}
			next;
		}
		my $e = $esme{fileno($fh)};
		my $pdu = $e->{smpp}->read_pdu;
		if (!$pdu) {
			$sel->remove($fh);
			delete $esme{fileno($fh)};
			close $fh;
			next;
		}
		my $cmd = $pdu->{cmd};
		if ($cmd == Net::SMPP::CMD_bind_transceiver) {
			$e->{id} = $pdu->{system_id};
			$e->{range} = $pdu->{address_range} // '';
			print "bind $e->{id} range=$e->{range}\n";
			$e->{smpp}->bind_transceiver_resp(seq => $pdu->{seq},
							  system_id => 'relay');
		} elsif ($cmd == Net::SMPP::CMD_enquire_link) {
			$e->{smpp}->enquire_link_resp(seq => $pdu->{seq});
		} elsif ($cmd == Net::SMPP::CMD_unbind) {
			print "unbind $e->{id}\n";
			$e->{smpp}->unbind_resp(seq => $pdu->{seq});
			$sel->remove($fh);
			delete $esme{fileno($fh)};
			close $fh;
		} elsif ($cmd == Net::SMPP::CMD_submit_sm) {
			$n++;
			$e->{smpp}->submit_sm_resp(seq => $pdu->{seq},
						   message_id => "m$n");
			my $dst = $pdu->{destination_addr};
			printf "submit from=%s src=%s dst=%s esm=%02x pid=%02x dcs=%02x ud=%s\n",
				$e->{id}, $pdu->{source_addr}, $dst,
				$pdu->{esm_class}, $pdu->{protocol_id},
				$pdu->{data_coding}, unpack('H*', $pdu->{short_message});
			my $to = route($dst, $e);
			unless ($to) { print "nowhere dst=$dst\n"; next; }
			my $app = $e->{range} eq '';
			deliver($to,
				source_addr => $app ? $appnum : $pdu->{source_addr},
				source_addr_ton => $app ? 1 : $pdu->{source_addr_ton},
				source_addr_npi => $app ? 1 : $pdu->{source_addr_npi},
				destination_addr => $dst,
				dest_addr_ton => $pdu->{dest_addr_ton},
				dest_addr_npi => $pdu->{dest_addr_npi},
				esm_class => $pdu->{esm_class},
				protocol_id => $pdu->{protocol_id},
				data_coding => $pdu->{data_coding},
				short_message => $pdu->{short_message});
		}
		# deliver_sm_resp and other responses: nothing to do
	}
}
