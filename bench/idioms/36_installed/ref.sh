# the package of each "status installed" line
# input: dpkg
awk '$3 == "status" && $4 == "installed" { print $5 }'
