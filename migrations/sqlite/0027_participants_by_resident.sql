-- The participants of a community are counted by the changes the roll-ups make (+1 a resident who
-- joined the year, −1 one who no longer attended or moved away), never recounted by community: the
-- index by community is no longer read, and keeping it cost every check-in that adds a participant.
drop index participants_community;
