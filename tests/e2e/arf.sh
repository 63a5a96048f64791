#!/bin/sh
# report.arf in the bundle, read back by a second, independent parser
# (Python's email package): one feedback report per sample in sample
# order, the report type, the feedback fields, and each attached message
# equal to its sample byte for byte (LF and CRLF, 8-bit, "From " lines,
# no final line break, a message out of an mbox); deterministic; absent
# when no sample was found.
. "${TESTS_DIR:-$(dirname "$0")/..}/e2e/lib.sh"
# Classic syslog times are local time: make it UTC.
TZ=UTC
export TZ

# The messages, written here byte by byte.
M=$tmp/mail
mkdir -p "$M/Maildir/cur" "$M/Maildir/new" "$M/Maildir/tmp"
# 1: LF, a Return-Path, "From " lines in the body.
printf '%s\n' \
	'Return-Path: <bounce+77@news.shop.example.com>' \
	'From: Lumen Atelier <news@shop.example.com>' \
	'To: camille@example.net' \
	'Subject: Preview' \
	'Date: Fri, 20 Nov 2026 14:17:07 +0100' \
	'Message-ID: <arf-one@news.shop.example.com>' \
	'Content-Type: text/plain; charset=us-ascii' \
	'' \
	'Hello,' \
	'From the desk of the shop:' \
	'>From a quoted line' \
	'bye' >"$M/Maildir/cur/1795180627.M1P1.mx1,S=1:2,S"
# 2: CRLF, 8-bit, no Return-Path, no final line break.
printf 'From: =?utf-8?q?Caf=C3=A9?= <cafe@shop.example.com>\r\nTo: bob@example.org\r\nSubject: Commande\r\nDate: Fri, 20 Nov 2026 14:23:00 +0100\r\nMessage-ID: <arf-two@shop.example.com>\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nMerci, votre caf\303\251 arrive.\r\nFrom the team\r\nno final line break' \
	>"$M/Maildir/new/1795180980.M2P2.mx1,S=2"
# 3: in an mbox (mboxrd), with a quoted "From " line given back.
{
	printf 'From orders@shop.example.com Fri Nov 20 13:28:21 2026\n'
	printf '%s\n' \
		'Return-Path: <orders@shop.example.com>' \
		'From: orders@shop.example.com' \
		'To: dana@example.com' \
		'Subject: Order' \
		'Date: Fri, 20 Nov 2026 14:28:21 +0100' \
		'Message-ID: <arf-three@shop.example.com>' \
		'' \
		'>From the warehouse' \
		'done' \
		''
} >"$M/sent.mbox"

cat >"$tmp/stats.json" <<'EOF'
[{"averageSpamscore": 380, "numberOfSpams": 3, "timestamp": 1795181527, "total": 40,
  "detectedSpams": [
    {"date": 1795180627, "destinationIp": "198.51.100.23", "messageId": "arf-one@news.shop.example.com", "spamscore": 352},
    {"date": 1795180980, "destinationIp": "198.51.100.87", "messageId": "arf-two@shop.example.com", "spamscore": 417},
    {"date": 1795181301, "destinationIp": "198.51.100.142", "messageId": "arf-three@shop.example.com", "spamscore": 371}]}]
EOF

B=fpkit-203.0.113.7-20261120T133207Z
mkdir "$tmp/a" "$tmp/b" "$tmp/x"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$tmp/stats.json" \
	--mail "$M/Maildir" --mail "$M/sent.mbox" --no-dkim -o "$tmp/a"
assert_status 0 "pack with three samples"
tar -xzf "$tmp/a/$B.tar.gz" -C "$tmp/x"
X=$tmp/x/$B
assert_true "report.arf is in the bundle" test -f "$X/report.arf"
assert_true "report.arf is in SHA256SUMS" grep -q '  report.arf$' "$X/SHA256SUMS"
assert_eq "$(grep -c '^From ' "$X/report.arf")" 3 "one mbox entry per sample"
assert_eq "$(grep -c '^From fpkit@fpkit.invalid Fri Nov 20 13:32:07 2026$' "$X/report.arf")" 3 \
	"each entry dated the block time"
assert_in "$X/report.arf" ">From the desk of the shop:" "mboxrd: a From line is quoted"
assert_in "$X/report.arf" ">>From a quoted line" "mboxrd: a quoted From line is quoted again"
assert_true "the samples are byte for byte in the bundle" \
	cmp -s "$M/Maildir/new/1795180980.M2P2.mx1,S=2" "$X/samples/02-arf-two@shop.example.com.eml"

# Deterministic: a second run elsewhere, the same bytes.
sleep 1
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$tmp/stats.json" \
	--mail "$M/Maildir" --mail "$M/sent.mbox" --no-dkim -o "$tmp/b"
assert_true "two runs give the same bundle, report.arf included" \
	cmp -s "$tmp/a/$B.tar.gz" "$tmp/b/$B.tar.gz"

# The independent reading.
cat >"$tmp/check.py" <<'EOF'
# Read report.arf with Python's mailbox and email packages only, and
# print one "PASS what" or "FAIL what: why" line per check.
import email, email.policy, io, json, mailbox, os, re, sys
from email.generator import BytesGenerator

top, version, expect = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))

def check(what, cond, why=""):
    print(("PASS %s" if cond else "FAIL %s: " + str(why)) % what)

def regenerate(m, linesep):
    # compat32, no line length limit, no From mangling: Python writes the
    # header lines and the body it read as they were.
    out = io.BytesIO()
    pol = email.policy.compat32.clone(linesep=linesep, max_line_length=None)
    BytesGenerator(out, mangle_from_=False, policy=pol).flatten(m)
    return out.getvalue()

box = mailbox.mbox(os.path.join(top, "report.arf"), create=False)
keys = sorted(box.keys())
check("%d reports" % len(expect), len(keys) == len(expect), len(keys))
for n, (key, want) in enumerate(zip(keys, expect), 1):
    # mboxrd: one '>' less on every ">From " line.
    raw = re.sub(rb"(?m)^>(>*From )", rb"\1", box.get_bytes(key))
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    check("%d: multipart/report" % n, msg.get_content_type() == "multipart/report",
          msg.get_content_type())
    check("%d: report-type=feedback-report" % n,
          msg.get_param("report-type") == "feedback-report", msg.get_param("report-type"))
    parts = msg.get_payload()
    types = [p.get_content_type() for p in parts]
    check("%d: text/plain, message/feedback-report, message/rfc822" % n,
          types == ["text/plain", "message/feedback-report", "message/rfc822"], types)
    if len(parts) != 3:
        continue
    fields = parts[1].get_payload()[0]
    got = {k: fields.get_all(k) for k in set(fields.keys())}
    for k, v in want["fields"].items():
        check("%d: %s" % (n, k), got.get(k) == ([v] if v is not None else None), got.get(k))
    check("%d: the fields RFC 5965 requires come first" % n,
          fields.keys()[:3] == ["Feedback-Type", "User-Agent", "Version"], fields.keys()[:3])
    check("%d: User-Agent is fpkit/%s" % (n, version),
          fields["User-Agent"] == "fpkit/" + version, fields["User-Agent"])
    text = parts[0].get_payload(decode=True).decode("ascii")
    check("%d: the text names the sample" % n, want["file"] in text, text[:200])
    sample = open(os.path.join(top, want["file"]), "rb").read()
    inner = parts[2].get_payload(0)
    again = regenerate(inner, "\r\n" if b"\r\n" in sample else "\n")
    check("%d: the attached message is the sample, byte for byte" % n, again == sample,
          "%d bytes, sample %d" % (len(again), len(sample)))
    check("%d: its Message-ID" % n, inner["Message-ID"] == want["message_id"], inner["Message-ID"])
EOF
cat >"$tmp/expect.json" <<'EOF'
[{"file": "samples/01-arf-one@news.shop.example.com.eml",
  "message_id": "<arf-one@news.shop.example.com>",
  "fields": {"Feedback-Type": "not-spam", "Version": "1", "Source-IP": "203.0.113.7",
             "Arrival-Date": "Fri, 20 Nov 2026 13:17:07 +0000",
             "Original-Mail-From": "<bounce+77@news.shop.example.com>",
             "Reported-Domain": "shop.example.com", "Original-Rcpt-To": null}},
 {"file": "samples/02-arf-two@shop.example.com.eml",
  "message_id": "<arf-two@shop.example.com>",
  "fields": {"Feedback-Type": "not-spam", "Version": "1", "Source-IP": "203.0.113.7",
             "Arrival-Date": "Fri, 20 Nov 2026 13:23:00 +0000",
             "Original-Mail-From": "<cafe@shop.example.com>",
             "Reported-Domain": "shop.example.com"}},
 {"file": "samples/03-arf-three@shop.example.com.eml",
  "message_id": "<arf-three@shop.example.com>",
  "fields": {"Feedback-Type": "not-spam", "Version": "1", "Source-IP": "203.0.113.7",
             "Arrival-Date": "Fri, 20 Nov 2026 13:28:21 +0000",
             "Original-Mail-From": "<orders@shop.example.com>",
             "Reported-Domain": "shop.example.com"}}]
EOF
version=$(fpkit --version | sed -n '1s/^fpkit //p')
if command -v python3 >/dev/null 2>&1; then
	python3 "$tmp/check.py" "$X" "$version" "$tmp/expect.json" >"$tmp/py" 2>"$tmp/err" || :
	assert_eq "$(grep -c '^PASS' "$tmp/py")" 44 "Python's email package: 44 checks pass"
	while IFS= read -r line; do
		case $line in
		PASS*) ;;
		*) not_ok "python: $line" ;;
		esac
	done <"$tmp/py"
	# The reader must be able to fail: one changed byte in a sample.
	printf 'X' | dd of="$X/samples/02-arf-two@shop.example.com.eml" bs=1 seek=40 conv=notrunc 2>/dev/null
	python3 "$tmp/check.py" "$X" "$version" "$tmp/expect.json" >"$tmp/py" 2>&1 || :
	assert_in "$tmp/py" "FAIL 2: the attached message is the sample, byte for byte" \
		"a sample changed by one byte is caught"
else
	skip "the independent parse of report.arf: python3 is not installed"
fi

# With the mail logs: the envelope they give.  Message 1 went out to
# the destination the API names and, as a copy, to a local archive: only
# the first is the RCPT TO; message 2's MAIL FROM is the log's, not its
# From.
cat >"$tmp/mail.log" <<'EOF'
Nov 20 13:17:07 mx1 postfix/pickup[100]: 4A8D1C0B12: uid=1001 from=<bounce+77@news.shop.example.com>
Nov 20 13:17:07 mx1 postfix/cleanup[101]: 4A8D1C0B12: message-id=<arf-one@news.shop.example.com>
Nov 20 13:17:07 mx1 postfix/qmgr[102]: 4A8D1C0B12: from=<bounce+77@news.shop.example.com>, size=1234, nrcpt=2 (queue active)
Nov 20 13:17:08 mx1 postfix/smtp[103]: 4A8D1C0B12: to=<camille@example.net>, relay=mx.example.net[198.51.100.23]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok)
Nov 20 13:17:08 mx1 postfix/lmtp[104]: 4A8D1C0B12: to=<archive@shop.example.com>, relay=mail.shop.example.com[private/dovecot-lmtp], delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)
Nov 20 13:17:08 mx1 postfix/qmgr[102]: 4A8D1C0B12: removed
Nov 20 13:23:00 mx1 postfix/cleanup[101]: 5B9E2D1C23: message-id=<arf-two@shop.example.com>
Nov 20 13:23:00 mx1 postfix/qmgr[102]: 5B9E2D1C23: from=<bounces@shop.example.com>, size=999, nrcpt=1 (queue active)
Nov 20 13:23:01 mx1 postfix/smtp[103]: 5B9E2D1C23: to=<bob@example.org>, relay=mx.example.org[198.51.100.87]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok)
Nov 20 13:23:01 mx1 postfix/qmgr[102]: 5B9E2D1C23: removed
EOF
mkdir "$tmp/z"
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$tmp/stats.json" --mail "$M/Maildir" \
	--mail "$M/sent.mbox" --maillog "$tmp/mail.log" --no-dkim -o "$tmp/logs.tar.gz"
assert_status 0 "pack with --maillog"
tar -xzf "$tmp/logs.tar.gz" -C "$tmp/z"
R=$tmp/z/$B/report.arf
assert_eq "$(grep -c '^Original-Rcpt-To: ' "$R")" 2 "--maillog: one RCPT TO for each logged message"
assert_in "$R" "Original-Rcpt-To: <camille@example.net>" "--maillog: the delivery to the API's destination"
assert_not_in "$R" "archive@shop.example.com>" "--maillog: not the local copy"
assert_in "$R" "Original-Mail-From: <bounces@shop.example.com>" "--maillog: MAIL FROM from the log"
assert_not_in "$R" "Original-Mail-From: <cafe@shop.example.com>" "--maillog: not the From address"

# The message taken as sent before the block (the log shows it relayed
# out): Arrival-Date is its Date.
printf '%s\n' \
	'2026-11-20T14:28:21.100000+01:00 mx1 postfix/cleanup[1]: 1A2B3C4D5E: message-id=<arf-three@shop.example.com>' \
	'2026-11-20T14:28:22.300000+01:00 mx1 postfix/smtp[2]: 1A2B3C4D5E: to=<dana@example.com>, relay=mx.example.com[198.51.100.142]:25, dsn=2.0.0, status=sent (250 ok)' \
	>"$tmp/bb.log"
run pack --spam-ip-json "$DEMO_SPAMIP" --mail "$M/sent.mbox" --maillog "$tmp/bb.log" \
	--before-block 1 --no-dkim -o "$tmp/bb.tar.gz"
assert_status 0 "pack --before-block"
mkdir "$tmp/y"
tar -xzf "$tmp/bb.tar.gz" -C "$tmp/y"
assert_in "$tmp/y/$B/report.arf" "Arrival-Date: Fri, 20 Nov 2026 13:28:21 +0000" \
	"--before-block: Arrival-Date from the message's Date"

# No sample: no report.arf.
run pack --spam-ip-json "$DEMO_SPAMIP" --stats-json "$tmp/stats.json" -o "$tmp/none.tar.gz"
assert_status 0 "pack without --mail"
assert_false "no sample, no report.arf" sh -c "tar -tzf '$tmp/none.tar.gz' | grep -q report.arf"

finish
