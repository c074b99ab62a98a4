/**
The one fixed script a remote host runs, as a shell function defined once per connection and
called once per refresh. POSIX sh, awk, ls, xargs and od only (so BusyBox does too); nothing in it
comes from the user or the network.

Every line it prints starts with a one-letter marker and a space, or with a space (the content of
a file): text from the remote host (a process name, a command line) is either hex (od) or behind
that leading space, so it can never pass for a marker, nor for the end line.

  u EUID               the effective uid the tables were read with
  f PATH               a text file follows, each line behind one space (/proc/net/*, comm, cgroup, status)
  h PATH               a binary file follows as od hex lines (cmdline: NUL-separated arguments)
  d PID                /proc/PID/fd could not be read (another user's process)
  s PID FD INODE       descriptor FD of PID is socket INODE
  D PID                some descriptors of PID could not be looked at (the kernel refused, even to root)
  portui-end           the end of one snapshot

Only listening TCP sockets and unconnected UDP sockets are sent (the rest are connections, which the
parser drops anyway), only the descriptors and holders of those, and of /proc/PID/status only the
Uid and Gid lines. A file that cannot be
read is left out: the reader then answers ENOENT, as for a process that exited meanwhile.
*/
export const snapshotEnd = 'portui-end';
export const readyLine = 'portui-ready';

// Awk: the listening rows of the four socket tables (TCP LISTEN, UDP unconnected), their
// inodes in \`listening\`; with \`shown_rows\` set, each table's header and those rows, cut to the ten
// columns the parser reads (the rest, timers and a kernel pointer, would double the bytes).
const listeningRows = String.raw`
	split("tcp tcp6 udp udp6", kind, " ")
	for (k = 1; k <= 4; k++) {
		path = "/proc/net/" kind[k]
		n = 0
		while ((getline line < path) > 0) {
			if (!n++ && shown_rows) print "f " path
			split(line, field)
			if (n > 1 && !((k <= 2 && field[4] == "0A") || (k > 2 && field[4] == "07"))) continue
			if (n > 1) listening[field[10]] = 1
			if (shown_rows) print " " field[1] " " field[2] " " field[3] " " field[4] " " field[5] " " field[6] " " field[7] " " field[8] " " field[9] " " field[10]
		}
		close(path)
	}`;

// Awk: the reader's euid, then the tables.
const readTables = String.raw`
BEGIN {
	while ((getline line < "/proc/self/status") > 0) if (line ~ /^Uid:/) { split(line, id); print "u " id[3] }
	close("/proc/self/status")
	shown_rows = 1
	${listeningRows}
}`;

// Awk: the descriptors of ls -LiF1, which stats what each one points to: a socket reads
// `INODE FD=`. Nothing of a link's target (a file name, anyone's choice) is printed by ls -L.
const scanLinks = String.raw`
BEGIN { ${listeningRows} }
/^\/proc\/[0-9]+\/fd:$/ { split($0, part, "/"); pid = part[3]; next }
NF == 2 && pid != "" && $1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+=$/ && ($1 in listening) {
	print "s " pid " " substr($2, 1, length($2) - 1) " " $1
	holder[pid] = 1
}
END {
	for (p in holder) {
		show("/proc/" p "/comm", "")
		show("/proc/" p "/cgroup", "")
		show("/proc/" p "/status", "^(Uid|Gid):")
		print "h /proc/" p "/cmdline"
		fflush()
		system("od -An -v -tx1 -N 4096 /proc/" p "/cmdline 2>/dev/null")
	}
}
function show(path, keep,    line, status, shown) {
	shown = 0
	while ((status = (getline line < path)) > 0) {
		if (keep != "" && line !~ keep) continue
		if (!shown++) print "f " path
		print " " line
	}
	if (status == 0 && !shown) print "f " path
	close(path)
}`;

// Awk: the descriptors ls could not stat (LC_ALL=C: the messages are English), once a process.
const readDenied = String.raw`
/Permission denied|Operation not permitted/ && match($0, /\/proc\/[0-9]+\/fd\//) {
	p = substr($0, RSTART + 6, RLENGTH - 10)
	if (!(p in seen)) { seen[p] = 1; print "D " p }
}`;

const quoteForSh = (text: string) =>
	`'${text.replaceAll("'", String.raw`'\''`)}'`;

/** Defines `portui_snapshot` in the remote shell and says it is ready. */
export const snapshotFunction = `LC_ALL=C; export LC_ALL
portui_snapshot() {
	awk ${quoteForSh(readTables)} </dev/null
	for d in /proc/[0-9]*/fd; do
		if [ ! -r "$d" ] && [ -e "$d" ]; then p=\${d#/proc/}; echo "d \${p%/fd}"; fi
	done
	{ denied=$( {
		for d in /proc/[0-9]*/fd; do
			if [ -r "$d" ]; then echo "$d"; fi
		done | xargs ls -LiF1 /dev/null | awk ${quoteForSh(scanLinks)} >&3
	} 2>&1 ); } 3>&1
	printf '%s\n' "$denied" | awk ${quoteForSh(readDenied)}
	echo ${snapshotEnd}
}
echo ${readyLine}
`;

/** What is written for each refresh. */
export const snapshotRequest = 'portui_snapshot\n';
