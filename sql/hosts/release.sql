-- A request to :host has ended: its connection slot (the lease hosts/claim_start.sql granted) is free.
UPDATE news.host_schedule SET leases = array_remove(leases, :lease) WHERE host = :host
