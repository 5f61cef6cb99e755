-- Surveys (问卷, Q二(三)): questions of four kinds, an owner (district, town or centre) whose subtree
-- is the audience, an open period in Beijing days; answers from a phone (no account: anonymous, or
-- named by the phone number, one answer a person) or entered from paper afterwards. A question may
-- measure awareness, approval or satisfaction: its answers feed the KPIs. Each response is placed
-- where it was collected (the QR code's place or the paper's), so a town or centre reads its own.
create table surveys (
    id integer primary key,
    owner_id bigint not null references org_nodes(id),
    owner_path text not null,
    title text not null check (title <> ''),
    intro text,
    opens_on date not null,
    closes_on date not null,
    named boolean not null,
    -- the public link's key, and the secret the phone and address keys are made with
    code text not null unique,
    secret text not null,
    created_by bigint references users(id),
    created_at datetime not null,
    check (closes_on >= opens_on)
);
create index surveys_owner on surveys(owner_path);

create table survey_questions (
    id integer primary key,
    survey_id bigint not null references surveys(id),
    position integer not null,
    kind text not null check (kind in ('single', 'multiple', 'scale', 'text')),
    prompt text not null check (prompt <> ''),
    required boolean not null,
    measure text check (measure in ('awareness', 'approval', 'satisfaction')),
    unique (survey_id, position)
);

create table survey_options (
    id integer primary key,
    question_id bigint not null references survey_questions(id),
    position integer not null,
    label text not null check (label <> ''),
    -- the answer counts as knowing / approving / satisfied for a measured question
    counts boolean not null,
    unique (question_id, position)
);

create table survey_responses (
    id integer primary key,
    survey_id bigint not null references surveys(id),
    place_id bigint not null references org_nodes(id),
    place_path text not null,
    source text not null check (source in ('phone', 'paper')),
    -- a named survey: the person's key (an HMAC of the number), unique in the survey
    respondent_key text,
    resident_id bigint references residents(id),
    phone_masked text,
    -- a phone answer: an HMAC of the address it came from, for throttling (the address is not kept)
    address_key text,
    answered_on date not null,
    submitted_at datetime not null,
    entered_by bigint references users(id),
    unique (survey_id, respondent_key)
);
create index survey_responses_survey on survey_responses(survey_id, place_path);
create index survey_responses_place on survey_responses(place_path, answered_on);
create index survey_responses_address on survey_responses(survey_id, address_key, submitted_at);

create table survey_answers (
    response_id bigint not null references survey_responses(id),
    question_id bigint not null references survey_questions(id),
    option_id bigint references survey_options(id),
    scale integer check (scale between 1 and 5),
    text text,
    -- a measured question's answer: knows / approves / satisfied or not
    positive boolean
);
create index survey_answers_response on survey_answers(response_id);
create index survey_answers_question on survey_answers(question_id);
