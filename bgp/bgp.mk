# The BGP engine: knows BGP, nothing of OVN.
BGP_SRCS :=
