# The plots of a bench/run, one question each:
#   bench-latency.png  how long one get and one set take, beside their baselines
#   bench-scaling.png  how SIOCGIFCONF grows with the number of interfaces
#   bench-batch.png    configuring many TAPs: ifctl -f against ip -batch and shell loops
#   bench-snapshot.png reads answered from the snapshot, against the kernel's own ioctl
# Usage: gnuplot -e "dir='RESULTS'" bench/plot.gp
# A plot is drawn only when its data file is there (latency.dat, ifconf.dat,
# batch.dat, snapshot.dat: written by bench-latency, bench-ifconf, bench/run's
# batch step and bench-snapshot).
if (!exists("dir")) dir = "."
set datafile separator whitespace
set encoding utf8
# Colours: the baseline dark grey, ifctl blue, other ways light blue, targets red.
baseline_colour = "#555555"
ifctl_colour = "#2b6cb0"
other_colour = "#9ab8d8"
target_colour = "#c0392b"

# ---- latency: a get and a set, each beside its baselines ---------------------
# latency.dat rows (bench/latency.cpp): 0 echo (get sizes), 1 echo (set sizes),
# 2 kernel SIOCGIFFLAGS, 3 ifctl_ioctl SIOCGIFFLAGS, 4 Connection::get,
# 5 kernel SIOCSIFMTU, 6 netlink MTU change, 7 ifctl_ioctl SIOCSIFMTU,
# 8 Connection::set_mtu. Columns: "row" median_us p10_us p90_us.
have(name) = system("test -s '".dir."/".name."' && echo yes") eq "yes"
if (have("latency.dat")) {
    f = dir."/latency.dat"
    # Row r's column c (1 median, 2 p10, 3 p90): the last three fields of the line.
    field(r, c) = real(system(sprintf("awk '!/^#/ { if (n++ == %d) print $(NF - 3 + %d) }' '%s'", r, c, f)))
    # Each panel's bars: x, median, p10, p90 (-1: none), colour.
    bar(x, r, colour) = sprintf("%d %g %g %g %d", x, field(r, 1), field(r, 2), field(r, 3), colour)
    echo_get = field(0, 1)
    set_base = field(1, 1) + field(6, 1)
    max(a, b) = a > b ? a : b
    # Room above the highest whisker for its label, and above the target line.
    top_get = max(2.1 * echo_get, 1.2 * max(max(field(2, 3), field(0, 3)), max(field(3, 3), field(4, 3))))
    top_set = max(2.1 * set_base, 1.2 * max(field(5, 3), max(field(7, 3), field(8, 3))))
    set print $GET
    print bar(1, 2, 0xbbbbbb)
    print bar(2, 0, 0x555555)
    print bar(3, 3, 0x2b6cb0)
    print bar(4, 4, 0x9ab8d8)
    set print $SET
    print bar(1, 5, 0xbbbbbb)
    print sprintf("2 %g -1 -1 %d", set_base, 0x555555)
    print bar(3, 7, 0x2b6cb0)
    print bar(4, 8, 0x9ab8d8)
    unset print

    reset
    set terminal pngcairo size 1200,540 font "sans,11" noenhanced
    set output dir."/bench-latency.png"
    set multiplot layout 1,2 title "Latency of one call through ifctld (median; whiskers: 10th to 90th percentile; lower is better)" font "sans,12"
    set style fill solid 0.85 border -1
    set boxwidth 0.6
    set grid ytics
    set ylabel "µs per call"
    set xrange [0.4:4.6]
    set bmargin 5
    set xtics nomirror

    do for [panel = 1:2] {
        base = panel == 1 ? echo_get : set_base
        factor = panel == 1 ? 1.5 : 1.2
        set title (panel == 1 ? "get: SIOCGIFFLAGS" : "set: SIOCSIFMTU (a real MTU change)")
        set yrange [0:(panel == 1 ? top_get : top_set)]
        set arrow 1 from 0.4, base to 4.6, base nohead dt 2 lw 1.5 lc rgb "#555555"
        set arrow 2 from 0.4, factor * base to 4.6, factor * base nohead dt 3 lw 2 lc rgb "#c0392b"
        set label 1 sprintf("target: %.1f × baseline", factor) at 0.45, factor * base offset 0, 0.6 tc rgb "#c0392b"
        if (panel == 1) {
            set xtics ("kernel ioctl\n(no daemon)" 1, "echo round trip\n(baseline)" 2, "ifctl_ioctl" 3, "library call\n(no ioctl layer)" 4)
            plot $GET using 1:2:5 with boxes lc rgb variable notitle, \
                 "" using 1:($3 >= 0 ? $3 : 1/0):(0):($4 - $3) with vectors nohead lw 1.5 lc rgb "black" notitle, \
                 "" using 1:($3 >= 0 ? $4 : $2):($1 > 2 ? sprintf("%.1f µs (%.2f×)", $2, $2 / base) : sprintf("%.1f µs", $2)) with labels offset 0, 0.8 notitle
        } else {
            set xtics ("kernel ioctl\n(no daemon)" 1, "echo + netlink\n(baseline)" 2, "ifctl_ioctl" 3, "library call\n(no ioctl layer)" 4)
            plot $SET using 1:2:5 with boxes lc rgb variable notitle, \
                 "" using 1:($3 >= 0 ? $3 : 1/0):(0):($4 - $3) with vectors nohead lw 1.5 lc rgb "black" notitle, \
                 "" using 1:($3 >= 0 ? $4 : $2):($1 > 2 ? sprintf("%.1f µs (%.2f×)", $2, $2 / base) : sprintf("%.1f µs", $2)) with labels offset 0, 0.8 notitle
        }
    }
    unset multiplot
}

# ---- SIOCGIFCONF as the number of interfaces grows ----------------------------
# ifconf.dat columns: interfaces native_us ifctl_us ratio list_us list_ratio unpriv_us unpriv_ratio
if (have("ifconf.dat")) {
    reset
    set terminal pngcairo size 1000,620 font "sans,11" noenhanced
    set output dir."/bench-scaling.png"
    set title "SIOCGIFCONF: time per call by number of interfaces (one IPv4 address each; lower is better)" font "sans,12"
    set logscale xy
    set grid xtics ytics
    set xlabel "interfaces in the namespace"
    set ylabel "µs per call (median)"
    set format y "%g"
    set xrange [0.7:6000]
    set key outside below left reverse Left horizontal maxcols 2 spacing 1.3
    set xlabel offset 0, 0.3
    plot dir."/ifconf.dat" using 1:2 with linespoints lw 3 dt 2 pt 7 ps 1.2 lc rgb baseline_colour title "kernel ioctl (baseline)", \
         "" using 1:(2 * $2) with lines lw 2 dt 3 lc rgb target_colour title "target: 2 × baseline", \
         "" using 1:3 with linespoints lw 2 pt 5 ps 1.2 lc rgb ifctl_colour title "ifctl_ioctl as root", \
         "" using 1:7 with linespoints lw 2 pt 4 ps 1.6 lc rgb other_colour title "ifctl_ioctl as uid 65534 (on top of root's)", \
         "" using 1:5 with linespoints lw 2 pt 9 ps 1.2 lc rgb "#8e6c00" title "daemon's List (a caller in another namespace)"
}

# ---- configuring N TAPs, four ways ---------------------------------------------
# batch.dat: "way" median_ms taps (bench/run, from bench/batch's output), ip -batch first.
if (have("batch.dat")) {
    reset
    taps = int(system("awk '!/^#/ { print $NF; exit }' ".dir."/batch.dat"))
    base = real(system("awk -F'\" ' '/^\"ip -batch\"/ { split($2, v, \" \"); print v[1] / 1000 }' ".dir."/batch.dat"))
    set terminal pngcairo size 1000,420 font "sans,11" noenhanced
    set output dir."/bench-batch.png"
    set title sprintf("Creating %d multi-queue TAPs, each with an address, MTU 1400 and up (lower is better)", taps) font "sans,12"
    set style fill solid 0.85 border -1
    set grid xtics
    set xlabel "seconds of wall time for all of them (median of runs)"
    stats dir."/batch.dat" using 2 nooutput
    set xrange [0:STATS_max / 1000 * 1.4]
    set yrange [-0.6:*] reverse
    set ytics nomirror
    set offsets 0, 0, 0.3, 0
    set lmargin 26
    set arrow 1 from first base, graph 0 to first base, graph 1 nohead dt 2 lw 1.5 lc rgb baseline_colour back
    set style textbox opaque noborder
    set label 1 "ip -batch (baseline)" at first base, graph 0 offset 0.5, 0.7 tc rgb baseline_colour
    colour(way) = way eq "ifctl -f" ? 0x2b6cb0 : way eq "ip -batch" ? 0x555555 : 0x9ab8d8
    plot dir."/batch.dat" using ($2 / 2000):0:($2 / 2000):(0.3):(colour(stringcolumn(1))):ytic(1) \
             with boxxyerror lc rgb variable notitle, \
         "" using ($2 / 1000):0:(stringcolumn(1) eq "ip -batch" ? sprintf("%.2f s", $2 / 1000) : sprintf("%.2f s (%.2f × ip -batch)", $2 / 1000, $2 / 1000 / base)) with labels left boxed offset 0.8, 0 notitle
}

# ---- reads from the snapshot against the kernel's ioctl --------------------------
# snapshot.dat rows (bench/snapshot.cpp): "row" ifctl_us native_us ratio; rows
# without a baseline (native 0) are left out. A row on a socket made with
# ifctl_socket() (the library knows its family) in ifctl blue, one on a plain
# socket() (a getsockopt per call) in light blue.
if (have("snapshot.dat")) {
    reset
    f = dir."/snapshot.dat"
    set print $ROWS
    n = int(system("awk '!/^#/ && $(NF-1) > 0' '".f."' | wc -l"))
    do for [i = 0:n - 1] {
        print system(sprintf("awk '!/^#/ && $(NF-1) > 0 { if (k++ == %d) print }' '%s'", i, f))
    }
    unset print
    set terminal pngcairo size 1000,720 font "sans,11" noenhanced
    set output dir."/bench-snapshot.png"
    set title "Reads from the snapshot against the kernel's ioctl (medians; lower is better)" font "sans,12" offset -12, 0
    set style fill solid 0.85 border -1
    set grid xtics
    set xlabel "ratio to the kernel's ioctl in the same run"
    set xrange [0:*]
    set yrange [n - 0.4:-0.6]
    set ytics nomirror
    set lmargin 44
    set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead dt 3 lw 2 lc rgb target_colour back
    set label 1 "target: 1.0 × the kernel" at first 1, graph 1 offset 0.5, -0.8 tc rgb target_colour
    colour(row) = strstrt(row, "ifctl_socket") > 0 ? 0x2b6cb0 : 0x9ab8d8
    plot $ROWS using ($4 / 2):0:($4 / 2):(0.35):(colour(stringcolumn(1))):ytic(1) with boxxyerror lc rgb variable notitle, \
         "" using 4:0:(sprintf("%.2f×", $4)) with labels left offset 0.5, 0 notitle
}
