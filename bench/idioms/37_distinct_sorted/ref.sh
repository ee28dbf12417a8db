# the packages of status lines, sorted, each once
# input: dpkg
awk '$3 == "status" { print $5 }' | sort -u
