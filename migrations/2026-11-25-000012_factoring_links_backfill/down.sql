-- Links that the receivables themselves still record (every financed request's).
DELETE FROM factoring_request_receivables l
 USING receivables r
 WHERE r.id = l.receivable_id AND r.factoring_request_id = l.request_id AND NOT l.pending;
