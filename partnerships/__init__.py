"""The partnership registry app: partnerships between communities, their dated statuses and the sources that say so."""
