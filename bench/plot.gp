# Plots of a bench/run: gnuplot -e "dir='RESULTS'" bench/plot.gp  (scaling=0: the ratios only)
# bench-ratios.png: every ratio with its target; bench-scaling.png: SIOCGIFCONF
# by interface count, throughput by client count, daemon RSS by TAP count.
# Reads the .dat files the benchmark programs wrote (bench/common.hpp, DataFile).
if (!exists("dir")) dir = "."
set datafile separator whitespace
set terminal pngcairo size 1500,800 font "sans,10" noenhanced

# ---- every ratio against its baseline, log scale, targets as marks ----------
set output dir."/bench-ratios.png"
set title "ifctl benchmark ratios (each against a baseline measured in the same run; medians of runs)"
set style fill solid 0.6 border -1
set boxwidth 0.7
set logscale y
set yrange [0.05:*]
set ylabel "ratio (log scale)"
set xtics rotate by -35 left font "sans,9" nomirror
set bmargin 17
set rmargin 28
set grid ytics
set key top right
# Columns: "key" ratio goal target verdict. Red bars miss their target.
plot dir."/ratios.dat" using 0:2:(stringcolumn(5) eq "not-met" ? 0xcc3333 : stringcolumn(5) eq "met" ? 0x339933 : 0x7777aa):xtic(1) \
         with boxes lc rgb variable title "ratio (green: target met, red: not met, blue: no target)", \
     "" using 0:($4 > 0 ? $4 : 1/0) with points pt 7 ps 1.6 lc rgb "black" title "target", \
     1 with lines dt 2 lc rgb "gray" title "1x"

# ---- how things grow --------------------------------------------------------
# Only after a run of ifconf, throughput and footprint (bench/run says so):
# a run of some programs keeps the other programs' files, and may have none.
if (!exists("scaling")) scaling = 1
if (scaling) {
    reset
    set terminal pngcairo size 1400,460 font "sans,10" noenhanced
    set output dir."/bench-scaling.png"
    set multiplot layout 1,3 title "ifctl benchmarks: scaling"
    set grid
    set key top left

    set title "SIOCGIFCONF, one IPv4 address per interface"
    set key bottom right
    set logscale xy
    set xlabel "interfaces"
    set ylabel "microseconds per call"
    plot dir."/ifconf.dat" using 1:2 with linespoints pt 7 title "kernel ioctl", \
         "" using 1:3 with linespoints pt 5 title "ifctl_ioctl, root", \
         "" using 1:7 with linespoints pt 4 title "ifctl_ioctl, uid 65534", \
         "" using 1:5 with linespoints pt 9 title "daemon List (callers in another namespace)"

    unset logscale
    set title "throughput, gets of one interface"
    set key bottom left
    set logscale x 2
    set xlabel "concurrent client processes"
    set ylabel "calls per second"
    set yrange [0:*]
    plot dir."/throughput.dat" using 1:2 with linespoints pt 7 title "echo server", \
         "" using 1:3 with linespoints pt 5 title "ifctld"

    unset logscale
    set title "ifctld memory (target: 64 MiB at 4096 TAPs)"
    set key center left
    set xlabel "owned TAPs"
    set ylabel "MiB"
    set yrange [0:*]
    plot dir."/footprint.dat" using 1:($2/1024) with linespoints pt 7 title "resident (VmRSS)", \
         "" using 1:($3/1024) with linespoints pt 5 title "peak (VmHWM)", \
         64 with lines dt 2 lc rgb "red" title "64 MiB"
    unset multiplot
}
