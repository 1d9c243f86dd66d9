#!/bin/sh
# kopanion-mta-entrypoint: writes a minimal Postfix main.cf from MTA_* variables,
# then runs the command (by default `postfix start-fg`, Postfix in the foreground).
set -eu

hostname=${MTA_HOSTNAME:-localhost}
domain=${MTA_DOMAIN:-localhost}
networks=${MTA_NETWORKS:-127.0.0.0/8 [::1]/128}
# hash (Berkeley DB) or lmdb, whatever this Postfix build defaults to
db=$(postconf -dh default_database_type)

write_main_cf() {
	cat >/etc/postfix/main.cf <<CF
# Written by kopanion-mta-entrypoint at container start; edit MTA_* instead.
compatibility_level = 3.6
myhostname = $hostname
mydomain = $domain
myorigin = \$mydomain
inet_interfaces = all
inet_protocols = all
mydestination = \$myhostname, localhost.\$mydomain, localhost
mynetworks = $networks
alias_maps = $db:/etc/aliases
alias_database = $db:/etc/aliases
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
maillog_file = /dev/stdout
CF
	printf '%s\n' "$domain" >/etc/mailname
}

# Submission (587) beside SMTP (25): uncomment Debian's template line once.
enable_submission() {
	if ! grep -q '^submission ' /etc/postfix/master.cf; then
		printf '%s\n' 'submission inet n - y - - smtpd' >>/etc/postfix/master.cf
	fi
}

write_main_cf
enable_submission
newaliases
# Files copied into the spool volume by a former container may have stale owners.
postfix set-permissions >/dev/null 2>&1 || true
postfix check

exec "$@"
