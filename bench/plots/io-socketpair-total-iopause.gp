set terminal png size 1100,700
set output 'io-socketpair-total-iopause.png'
set title 'I/O chain, socketpair, iopause loops: setup + run (100 active, 100 writes)'
set xlabel 'channels N'
set ylabel 'total time (us)'
set logscale xy
set key outside right
set grid
plot 'data/io-socketpair-total-iopause-skalibs_ppoll.dat' using 1:2 with linespoints title 'skalibs/ppoll', \
     'data/io-socketpair-total-iopause-refloop-skalibs_ppoll.dat' using 1:2 with linespoints title 'refloop-skalibs/ppoll', \
     'data/io-socketpair-total-iopause-refloop-iopause_ppoll.dat' using 1:2 with linespoints title 'refloop-iopause/ppoll', \
     'data/io-socketpair-total-iopause-skalibs_poll.dat' using 1:2 with linespoints title 'skalibs/poll', \
     'data/io-socketpair-total-iopause-refloop-skalibs_poll.dat' using 1:2 with linespoints title 'refloop-skalibs/poll', \
     'data/io-socketpair-total-iopause-refloop-iopause_poll.dat' using 1:2 with linespoints title 'refloop-iopause/poll', \
     'data/io-socketpair-total-iopause-skalibs_select.dat' using 1:2 with linespoints title 'skalibs/select', \
     'data/io-socketpair-total-iopause-refloop-skalibs_select.dat' using 1:2 with linespoints title 'refloop-skalibs/select', \
     'data/io-socketpair-total-iopause-refloop-iopause_select.dat' using 1:2 with linespoints title 'refloop-iopause/select', \
     'data/io-socketpair-total-iopause-raw-epoll.dat' using 1:2 with linespoints title 'raw-epoll', \
     'data/io-socketpair-total-iopause-raw-poll.dat' using 1:2 with linespoints title 'raw-poll'
