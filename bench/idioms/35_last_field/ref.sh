# the last field of each line
# input: dpkg
awk '{ print $NF }'
