CREATE TABLE channel_heads (
    channel text NOT NULL,
    epoch text NOT NULL,
    last_offset bigint NOT NULL,
    updated_at bigint NOT NULL
);
CREATE TABLE channel_publications (
    channel text NOT NULL,
    pub_offset bigint NOT NULL,
    "time" bigint NOT NULL,
    data bytea NOT NULL
);
CREATE TABLE connections (
    connection_id text NOT NULL,
    node_id text NOT NULL,
    user_id text NOT NULL,
    name text NOT NULL,
    role text NOT NULL,
    region_id text NOT NULL,
    office_id text NOT NULL,
    app_type text NOT NULL,
    device text,
    connected_at bigint NOT NULL,
    ended_at bigint,
    end_reason text
);
CREATE TABLE disconnect_actions (
    action_id text NOT NULL,
    connection_id text NOT NULL,
    kind text NOT NULL,
    payload text NOT NULL,
    created_at bigint NOT NULL
);
CREATE TABLE events (
    id bigint NOT NULL,
    type text NOT NULL,
    scope text NOT NULL,
    session_id text,
    user_id text,
    "time" bigint NOT NULL,
    metadata text
);
ALTER TABLE events ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);
CREATE TABLE nodes (
    node_id text NOT NULL,
    address text,
    started_at bigint NOT NULL,
    heartbeat_at bigint NOT NULL,
    lost_at bigint,
    lost_by text,
    cleaned_at bigint
);
CREATE TABLE office_floors (
    office text NOT NULL,
    epoch bigint NOT NULL,
    session_id text,
    speaker_node text,
    speaker_connection text,
    speaker_user_id text,
    speaker_name text,
    speaker_app_type text,
    speaker_role text,
    granted_at bigint,
    lease_until bigint
);
CREATE TABLE presence_users (
    office text NOT NULL,
    user_id text NOT NULL,
    region_id text NOT NULL,
    office_id text NOT NULL,
    name text NOT NULL,
    role text NOT NULL,
    online_since bigint NOT NULL
);
CREATE TABLE ptt_participants (
    session_id text NOT NULL,
    connection_id text NOT NULL,
    user_id text NOT NULL,
    name text NOT NULL,
    app_type text NOT NULL,
    device text,
    joined_at bigint NOT NULL,
    left_at bigint,
    left_reason text,
    last_seen bigint NOT NULL,
    notify_ms double precision,
    token_ms double precision,
    join_ms double precision
);
CREATE TABLE ptt_sessions (
    session_id text NOT NULL,
    office text NOT NULL,
    channel text NOT NULL,
    epoch bigint NOT NULL,
    node_id text NOT NULL,
    event_id text NOT NULL,
    speaker_user_id text NOT NULL,
    speaker_name text NOT NULL,
    speaker_app_type text NOT NULL,
    started_at bigint NOT NULL,
    ended_at bigint,
    end_reason text,
    press_to_grant_us bigint,
    peak_participants integer DEFAULT 0 NOT NULL,
    heartbeat_lost integer DEFAULT 0 NOT NULL,
    speaker_connection_id text,
    speaker_token_ms double precision,
    speaker_join_ms double precision
);
CREATE TABLE schema_version (
    version integer NOT NULL,
    description text NOT NULL,
    applied_at bigint NOT NULL
);
CREATE TABLE webinar_live_presence (
    webinar_id text NOT NULL,
    viewer_key text NOT NULL,
    session_key text NOT NULL,
    user_id text,
    last_seen_at bigint NOT NULL,
    is_visible integer NOT NULL
);
CREATE TABLE webinar_user_sessions (
    id text NOT NULL,
    webinar_id text NOT NULL,
    user_id text,
    guest_id text,
    viewer_key text NOT NULL,
    session_id text NOT NULL,
    entered_at bigint NOT NULL,
    exited_at bigint,
    duration_seconds integer,
    last_heartbeat_at bigint NOT NULL,
    last_visible integer NOT NULL,
    watched_seconds_raw double precision NOT NULL,
    visible_content_seconds double precision NOT NULL,
    closed_reason text,
    user_agent text,
    referrer text,
    ip_address text,
    agency_id text,
    client_id text,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
);
CREATE TABLE webinars (
    id text NOT NULL,
    title text NOT NULL,
    webinar_start_time bigint NOT NULL,
    webinar_scheduled_end_time bigint NOT NULL,
    webinar_actual_end_time bigint,
    post_window_minutes integer NOT NULL,
    agency_id text,
    client_id text,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
);
INSERT INTO channel_heads VALUES ('presence:r1_o1', '15bedf40eba0', 3, 1796391471034);
INSERT INTO channel_heads VALUES ('presence:r1_o2', 'b97544575be5', 1, 1796391471045);
INSERT INTO channel_heads VALUES ('office:r1_o1/chat', 'e79b443aee5f', 2, 1796391471114);
INSERT INTO channel_heads VALUES ('ptt:r1_o2', '3371b1c2d5fc', 1, 1796391472056);
INSERT INTO channel_heads VALUES ('ptt:r1_o1', '0c1780be81a9', 7, 1796391472076);
INSERT INTO channel_publications VALUES ('presence:r1_o1', 1, 1796391470913, '\x7b226576656e74223a226f6e6c696e65222c2275736572223a7b22757365725f6964223a226431222c226e616d65223a224e616d65206431222c22726f6c65223a2263616c6c5f6d616e61676572227d2c2274696d65223a313739363339313437303839327d');
INSERT INTO channel_publications VALUES ('presence:r1_o1', 2, 1796391471016, '\x7b226576656e74223a226f6e6c696e65222c2275736572223a7b22757365725f6964223a227531222c226e616d65223a224e616d65207531222c22726f6c65223a227069636b75705f647269766572227d2c2274696d65223a313739363339313437313031307d');
INSERT INTO channel_publications VALUES ('presence:r1_o1', 3, 1796391471034, '\x7b226576656e74223a226f6e6c696e65222c2275736572223a7b22757365725f6964223a227532222c226e616d65223a224e616d65207532222c22726f6c65223a227069636b75705f647269766572227d2c2274696d65223a313739363339313437313033337d');
INSERT INTO channel_publications VALUES ('presence:r1_o2', 1, 1796391471045, '\x7b226576656e74223a226f6e6c696e65222c2275736572223a7b22757365725f6964223a227831222c226e616d65223a224e616d65207831222c22726f6c65223a227069636b75705f647269766572227d2c2274696d65223a313739363339313437313034347d');
INSERT INTO channel_publications VALUES ('office:r1_o1/chat', 1, 1796391471089, '\x7b2274657874223a225c75433534385c75423135355c75443535385c75433133385c7543363934227d');
INSERT INTO channel_publications VALUES ('office:r1_o1/chat', 2, 1796391471114, '\x7b2274657874223a2268656c6c6f227d');
INSERT INTO channel_publications VALUES ('ptt:r1_o1', 1, 1796391471161, '\x7b2274797065223a2273657373696f6e5f73746172746564222c2273657373696f6e5f6964223a22735f3165653435623130306165386430663738666435222c226f6666696365223a2272315f6f31222c226368616e6e656c223a227074745f72315f6f31222c2265706f6368223a313739363339313437313132312c22737065616b6572223a7b22757365725f6964223a226431222c226e616d65223a224e616d65206431222c226170705f74797065223a2263616c6c5f6d616e61676572227d2c22737461727465645f6174223a313739363339313437313132312c226d61785f74616c6b5f6d73223a36303030302c226d65646961223a7b2270726f7669646572223a2272656c6179222c22746f6b656e5f64656c61795f6d73223a5b3130302c3530305d7d7d');
INSERT INTO channel_publications VALUES ('ptt:r1_o1', 2, 1796391471423, '\x7b2274797065223a2273657373696f6e5f656e646564222c2273657373696f6e5f6964223a22735f3165653435623130306165386430663738666435222c2265706f6368223a313739363339313437313132312c22726561736f6e223a2272656c6561736564222c22656e6465645f6174223a313739363339313437313431332c2268616e675f6d73223a307d');
INSERT INTO channel_publications VALUES ('ptt:r1_o1', 3, 1796391472046, '\x7b2274797065223a2273657373696f6e5f73746172746564222c2273657373696f6e5f6964223a22735f6663363931636431653062386266626661346665222c226f6666696365223a2272315f6f31222c226368616e6e656c223a227074745f72315f6f31222c2265706f6368223a313739363339313437323034332c22737065616b6572223a7b22757365725f6964223a227531222c226e616d65223a224e616d65207531222c226170705f74797065223a227069636b75705f647269766572227d2c22737461727465645f6174223a313739363339313437323034332c226d61785f74616c6b5f6d73223a36303030302c226d65646961223a7b2270726f7669646572223a2272656c6179222c22746f6b656e5f64656c61795f6d73223a5b3130302c3530305d7d7d');
INSERT INTO channel_publications VALUES ('ptt:r1_o2', 1, 1796391472056, '\x7b2274797065223a2273657373696f6e5f73746172746564222c2273657373696f6e5f6964223a22735f3437643362356630623264656235313738663763222c226f6666696365223a2272315f6f32222c226368616e6e656c223a227074745f72315f6f32222c2265706f6368223a313739363339313437323035342c22737065616b6572223a7b22757365725f6964223a227831222c226e616d65223a224e616d65207831222c226170705f74797065223a227069636b75705f647269766572227d2c22737461727465645f6174223a313739363339313437323035342c226d61785f74616c6b5f6d73223a36303030302c226d65646961223a7b2270726f7669646572223a2272656c6179222c22746f6b656e5f64656c61795f6d73223a5b3130302c3530305d7d7d');
INSERT INTO channel_publications VALUES ('ptt:r1_o1', 4, 1796391472074, '\x7b2274797065223a22666c6f6f725f7265766f6b6564222c2273657373696f6e5f6964223a22735f6663363931636431653062386266626661346665222c2265706f6368223a313739363339313437323034332c22757365725f6964223a227531222c22726561736f6e223a22707265656d70746564227d');
INSERT INTO channel_publications VALUES ('ptt:r1_o1', 5, 1796391472074, '\x7b2274797065223a2273657373696f6e5f656e646564222c2273657373696f6e5f6964223a22735f6663363931636431653062386266626661346665222c2265706f6368223a313739363339313437323034332c22726561736f6e223a22707265656d70746564222c22656e6465645f6174223a313739363339313437323036312c2268616e675f6d73223a307d');
INSERT INTO channel_publications VALUES ('ptt:r1_o1', 6, 1796391472075, '\x7b2274797065223a2273657373696f6e5f73746172746564222c2273657373696f6e5f6964223a22735f6634306365363933626234323861343736626234222c226f6666696365223a2272315f6f31222c226368616e6e656c223a227074745f72315f6f31222c2265706f6368223a313739363339313437323036312c22737065616b6572223a7b22757365725f6964223a226431222c226e616d65223a224e616d65206431222c226170705f74797065223a2263616c6c5f6d616e61676572227d2c22737461727465645f6174223a313739363339313437323036312c226d61785f74616c6b5f6d73223a36303030302c226d65646961223a7b2270726f7669646572223a2272656c6179222c22746f6b656e5f64656c61795f6d73223a5b3130302c3530305d7d7d');
INSERT INTO channel_publications VALUES ('ptt:r1_o1', 7, 1796391472076, '\x7b2274797065223a22737065616b65725f6368616e676564222c2273657373696f6e5f6964223a22735f6634306365363933626234323861343736626234222c2265706f6368223a313739363339313437323036312c22737065616b6572223a7b22757365725f6964223a226431222c226e616d65223a224e616d65206431222c226170705f74797065223a2263616c6c5f6d616e61676572227d2c2270726576696f7573223a7b22757365725f6964223a227531222c226e616d65223a224e616d65207531222c226170705f74797065223a227069636b75705f647269766572227d7d');
INSERT INTO connections VALUES ('c_1585131fc6b7c30f71', 'fixture-node', 'd1', 'Name d1', 'call_manager', 'r1', 'o1', 'call_manager', 'fixture', 1796391470824, NULL, NULL);
INSERT INTO connections VALUES ('c_9ae1702ae73b0ed7bd', 'fixture-node', 'u1', 'Name u1', 'pickup_driver', 'r1', 'o1', 'pickup_driver', 'fixture', 1796391470964, NULL, NULL);
INSERT INTO connections VALUES ('c_cd2a11d76168ae8820', 'fixture-node', 'x1', 'Name x1', 'pickup_driver', 'r1', 'o2', 'pickup_driver', 'fixture', 1796391471041, NULL, NULL);
INSERT INTO connections VALUES ('c_015f6a76f123559c82', 'fixture-node', 'u2', 'Name u2', 'pickup_driver', 'r1', 'o1', 'pickup_driver', 'fixture', 1796391471027, 1796391471853, 'client_closed');
INSERT INTO disconnect_actions VALUES ('a_6b473e54d52d762a', 'c_cd2a11d76168ae8820', 'ptt.release_floor', '{"office":"r1_o2","epoch":1796391472054,"session_id":"s_47d3b5f0b2deb5178f7c"}', 1796391472058);
INSERT INTO disconnect_actions VALUES ('a_fcc995fc1765a3e9', 'c_1585131fc6b7c30f71', 'ptt.release_floor', '{"office":"r1_o1","epoch":1796391472061,"session_id":"s_f40ce693bb428a476bb4"}', 1796391472082);
INSERT INTO events OVERRIDING SYSTEM VALUE VALUES (1, 'USER_ONLINE', 'r1_o1', NULL, 'd1', 1796391470892, NULL);
INSERT INTO events OVERRIDING SYSTEM VALUE VALUES (2, 'USER_ONLINE', 'r1_o1', NULL, 'u1', 1796391471010, NULL);
INSERT INTO events OVERRIDING SYSTEM VALUE VALUES (3, 'USER_ONLINE', 'r1_o1', NULL, 'u2', 1796391471033, NULL);
INSERT INTO events OVERRIDING SYSTEM VALUE VALUES (4, 'USER_ONLINE', 'r1_o2', NULL, 'x1', 1796391471044, NULL);
INSERT INTO events OVERRIDING SYSTEM VALUE VALUES (5, 'SESSION_STARTED', 'r1_o1', 's_1ee45b100ae8d0f78fd5', 'd1', 1796391471121, '{"event_id":"e4db4f49d95e40c4ae3dcdc753bcd439","epoch":"1796391471121","speaker_name":"Name d1","app_type":"call_manager","participants":"2","press_to_grant_us":"62624"}');
INSERT INTO events OVERRIDING SYSTEM VALUE VALUES (6, 'USER_JOINED', 'r1_o1', 's_1ee45b100ae8d0f78fd5', 'u1', 1796391471121, '{"app_type":"pickup_driver","auto":"true"}');
INSERT INTO events OVERRIDING SYSTEM VALUE VALUES (7, 'USER_JOINED', 'r1_o1', 's_1ee45b100ae8d0f78fd5', 'u2', 1796391471121, '{"app_type":"pickup_driver","auto":"true"}');
INSERT INTO events OVERRIDING SYSTEM VALUE VALUES (8, 'SESSION_ENDED', 'r1_o1', 's_1ee45b100ae8d0f78fd5', 'd1', 1796391471413, '{"reason":"released","duration_ms":"292"}');
INSERT INTO events OVERRIDING SYSTEM VALUE VALUES (9, 'SESSION_STARTED', 'r1_o1', 's_fc691cd1e0b8bfbfa4fe', 'u1', 1796391472043, '{"event_id":"80f164b435c845e884db501a399eef17","epoch":"1796391472043","speaker_name":"Name u1","app_type":"pickup_driver","participants":"1","press_to_grant_us":"6090"}');
INSERT INTO events OVERRIDING SYSTEM VALUE VALUES (10, 'USER_JOINED', 'r1_o1', 's_fc691cd1e0b8bfbfa4fe', 'd1', 1796391472043, '{"app_type":"call_manager","auto":"true"}');
INSERT INTO events OVERRIDING SYSTEM VALUE VALUES (11, 'SESSION_STARTED', 'r1_o2', 's_47d3b5f0b2deb5178f7c', 'x1', 1796391472054, '{"event_id":"fb4e35d3cb034c7faaefffc1cd476ac9","epoch":"1796391472054","speaker_name":"Name x1","app_type":"pickup_driver","participants":"0","press_to_grant_us":"4932"}');
INSERT INTO events OVERRIDING SYSTEM VALUE VALUES (12, 'SESSION_ENDED', 'r1_o1', 's_fc691cd1e0b8bfbfa4fe', 'u1', 1796391472061, '{"reason":"preempted","duration_ms":"18"}');
INSERT INTO events OVERRIDING SYSTEM VALUE VALUES (13, 'SPEAKER_CHANGED', 'r1_o1', 's_f40ce693bb428a476bb4', 'd1', 1796391472061, '{"previous":"u1","previous_session_id":"s_fc691cd1e0b8bfbfa4fe"}');
INSERT INTO events OVERRIDING SYSTEM VALUE VALUES (14, 'SESSION_STARTED', 'r1_o1', 's_f40ce693bb428a476bb4', 'd1', 1796391472061, '{"event_id":"8559014365d8428fa9ec1503ed32f845","epoch":"1796391472061","speaker_name":"Name d1","app_type":"call_manager","participants":"1","press_to_grant_us":"22476"}');
INSERT INTO events OVERRIDING SYSTEM VALUE VALUES (15, 'USER_JOINED', 'r1_o1', 's_f40ce693bb428a476bb4', 'u1', 1796391472061, '{"app_type":"pickup_driver","auto":"true"}');
INSERT INTO events OVERRIDING SYSTEM VALUE VALUES (16, 'PTT_BUSY', 'r1_o1', 's_f40ce693bb428a476bb4', 'u1', 1796391472087, '{"speaker":"d1"}');
INSERT INTO nodes VALUES ('fixture-node', 'http://127.0.0.1:42071', 1796391469911, 1796391471953, NULL, NULL, NULL);
INSERT INTO office_floors VALUES ('r1_o2', 1796391472054, 's_47d3b5f0b2deb5178f7c', 'fixture-node', 'c_cd2a11d76168ae8820', 'x1', 'Name x1', 'pickup_driver', 'pickup_driver', 1796391472054, 1796391478720);
INSERT INTO office_floors VALUES ('r1_o1', 1796391472061, 's_f40ce693bb428a476bb4', 'fixture-node', 'c_1585131fc6b7c30f71', 'd1', 'Name d1', 'call_manager', 'call_manager', 1796391472061, 1796391478753);
INSERT INTO presence_users VALUES ('r1_o1', 'd1', 'r1', 'o1', 'Name d1', 'call_manager', 1796391470892);
INSERT INTO presence_users VALUES ('r1_o1', 'u1', 'r1', 'o1', 'Name u1', 'pickup_driver', 1796391471010);
INSERT INTO presence_users VALUES ('r1_o1', 'u2', 'r1', 'o1', 'Name u2', 'pickup_driver', 1796391471033);
INSERT INTO presence_users VALUES ('r1_o2', 'x1', 'r1', 'o2', 'Name x1', 'pickup_driver', 1796391471044);
INSERT INTO ptt_participants VALUES ('s_1ee45b100ae8d0f78fd5', 'c_015f6a76f123559c82', 'u2', 'Name u2', 'pickup_driver', 'fixture', 1796391471121, 1796391471413, 'session_ended', 1796391471121, NULL, NULL, NULL);
INSERT INTO ptt_participants VALUES ('s_1ee45b100ae8d0f78fd5', 'c_9ae1702ae73b0ed7bd', 'u1', 'Name u1', 'pickup_driver', 'fixture', 1796391471121, 1796391471413, 'session_ended', 1796391471121, 12.5, NULL, NULL);
INSERT INTO ptt_participants VALUES ('s_fc691cd1e0b8bfbfa4fe', 'c_1585131fc6b7c30f71', 'd1', 'Name d1', 'call_manager', 'fixture', 1796391472043, 1796391472061, 'session_ended', 1796391472043, NULL, NULL, NULL);
INSERT INTO ptt_participants VALUES ('s_f40ce693bb428a476bb4', 'c_9ae1702ae73b0ed7bd', 'u1', 'Name u1', 'pickup_driver', 'fixture', 1796391472061, NULL, NULL, 1796391472061, NULL, NULL, NULL);
INSERT INTO ptt_sessions VALUES ('s_1ee45b100ae8d0f78fd5', 'r1_o1', 'ptt_r1_o1', 1796391471121, 'fixture-node', 'e4db4f49d95e40c4ae3dcdc753bcd439', 'd1', 'Name d1', 'call_manager', 1796391471121, 1796391471413, 'released', 62624, 2, 0, 'c_1585131fc6b7c30f71', NULL, NULL);
INSERT INTO ptt_sessions VALUES ('s_47d3b5f0b2deb5178f7c', 'r1_o2', 'ptt_r1_o2', 1796391472054, 'fixture-node', 'fb4e35d3cb034c7faaefffc1cd476ac9', 'x1', 'Name x1', 'pickup_driver', 1796391472054, NULL, NULL, 4932, 0, 0, 'c_cd2a11d76168ae8820', NULL, NULL);
INSERT INTO ptt_sessions VALUES ('s_fc691cd1e0b8bfbfa4fe', 'r1_o1', 'ptt_r1_o1', 1796391472043, 'fixture-node', '80f164b435c845e884db501a399eef17', 'u1', 'Name u1', 'pickup_driver', 1796391472043, 1796391472061, 'preempted', 6090, 1, 0, 'c_9ae1702ae73b0ed7bd', NULL, NULL);
INSERT INTO ptt_sessions VALUES ('s_f40ce693bb428a476bb4', 'r1_o1', 'ptt_r1_o1', 1796391472061, 'fixture-node', '8559014365d8428fa9ec1503ed32f845', 'd1', 'Name d1', 'call_manager', 1796391472061, NULL, NULL, 22476, 1, 0, 'c_1585131fc6b7c30f71', NULL, NULL);
INSERT INTO schema_version VALUES (1, 'events, connections and disconnect actions', 1796391469797);
INSERT INTO schema_version VALUES (2, 'webinars, sessions, live presence', 1796391469828);
INSERT INTO schema_version VALUES (3, 'push-to-talk sessions and participants', 1796391469834);
INSERT INTO schema_version VALUES (4, 'cluster: nodes, bus, office floors, cluster presence', 1796391469841);
INSERT INTO schema_version VALUES (5, 'events: (scope, id) index for paging an office''s events either way', 1796391469843);
INSERT INTO schema_version VALUES (6, 'push-to-talk: the speaker''s connection and reported latencies', 1796391469843);
INSERT INTO schema_version VALUES (7, 'index of ended connections for the retention purge', 1796391469844);
INSERT INTO webinar_live_presence VALUES ('01a24146-8bef-729b-b76f-3a9456329759', 'u:v1', 'session_fixture_v1', 'v1', 1796391472191, 1);
INSERT INTO webinar_user_sessions VALUES ('01a24146-8c2a-7cbf-b5ec-6fb0e9c8c806', '01a24146-8bef-729b-b76f-3a9456329759', 'v1', NULL, 'u:v1', 'session_fixture_v1', 1796391472147, NULL, NULL, 1796391472191, 1, 0.044, 0.044, NULL, 'node', NULL, '127.0.0.1', 'ag1', NULL, 1796391472147, 1796391472191);
INSERT INTO webinar_user_sessions VALUES ('01a24146-8c63-7016-a9f7-d9457245b03e', '01a24146-8bef-729b-b76f-3a9456329759', NULL, 'fd155066f7f3822426de3900492f9deb', 'g:fd155066f7f3822426de3900492f9deb', 'session_fixture_g1', 1796391472223, 1796391472238, 0, 1796391472238, 1, 0.015, 0.015, 'exit', 'node', NULL, '127.0.0.1', 'ag1', NULL, 1796391472223, 1796391472238);
INSERT INTO webinars VALUES ('01a24146-8bef-729b-b76f-3a9456329759', '고객 설명회', 1796387872090, 1796395072090, NULL, 30, 'ag1', NULL, 1796391472111, 1796391472111);
SELECT pg_catalog.setval('events_id_seq', 16, true);
ALTER TABLE ONLY channel_heads
    ADD CONSTRAINT channel_heads_pkey PRIMARY KEY (channel);
ALTER TABLE ONLY channel_publications
    ADD CONSTRAINT channel_publications_pkey PRIMARY KEY (channel, pub_offset);
ALTER TABLE ONLY connections
    ADD CONSTRAINT connections_pkey PRIMARY KEY (connection_id);
ALTER TABLE ONLY disconnect_actions
    ADD CONSTRAINT disconnect_actions_pkey PRIMARY KEY (action_id);
ALTER TABLE ONLY events
    ADD CONSTRAINT events_pkey PRIMARY KEY (id);
ALTER TABLE ONLY nodes
    ADD CONSTRAINT nodes_pkey PRIMARY KEY (node_id);
ALTER TABLE ONLY office_floors
    ADD CONSTRAINT office_floors_pkey PRIMARY KEY (office);
ALTER TABLE ONLY presence_users
    ADD CONSTRAINT presence_users_pkey PRIMARY KEY (office, user_id);
ALTER TABLE ONLY ptt_participants
    ADD CONSTRAINT ptt_participants_pkey PRIMARY KEY (session_id, connection_id);
ALTER TABLE ONLY ptt_sessions
    ADD CONSTRAINT ptt_sessions_pkey PRIMARY KEY (session_id);
ALTER TABLE ONLY schema_version
    ADD CONSTRAINT schema_version_pkey PRIMARY KEY (version);
ALTER TABLE ONLY webinar_live_presence
    ADD CONSTRAINT webinar_live_presence_pkey PRIMARY KEY (webinar_id, viewer_key, session_key);
ALTER TABLE ONLY webinar_user_sessions
    ADD CONSTRAINT webinar_user_sessions_pkey PRIMARY KEY (id);
ALTER TABLE ONLY webinars
    ADD CONSTRAINT webinars_pkey PRIMARY KEY (id);
CREATE INDEX idx_wus_active ON webinar_user_sessions USING btree (webinar_id, exited_at) WHERE (exited_at IS NULL);
CREATE INDEX idx_wus_session ON webinar_user_sessions USING btree (session_id);
CREATE INDEX idx_wus_user_entered ON webinar_user_sessions USING btree (user_id, entered_at DESC);
CREATE INDEX idx_wus_webinar_entered ON webinar_user_sessions USING btree (webinar_id, entered_at DESC);
CREATE INDEX idx_wus_webinar_entered_exited ON webinar_user_sessions USING btree (webinar_id, entered_at, exited_at) WHERE (exited_at IS NOT NULL);
CREATE INDEX idx_wus_webinar_user ON webinar_user_sessions USING btree (webinar_id, user_id);
CREATE INDEX idx_wus_webinar_user_watched ON webinar_user_sessions USING btree (webinar_id, user_id, exited_at) WHERE (exited_at IS NOT NULL);
CREATE INDEX ix_channel_publications_time ON channel_publications USING btree ("time");
CREATE INDEX ix_connections_ended ON connections USING btree (ended_at) WHERE (ended_at IS NOT NULL);
CREATE INDEX ix_connections_open_node ON connections USING btree (node_id) WHERE (ended_at IS NULL);
CREATE INDEX ix_connections_open_office ON connections USING btree ((((region_id || '_'::text) || office_id))) WHERE (ended_at IS NULL);
CREATE INDEX ix_connections_user ON connections USING btree (user_id, region_id, office_id);
CREATE INDEX ix_disconnect_actions_connection ON disconnect_actions USING btree (connection_id);
CREATE INDEX ix_events_scope_id ON events USING btree (scope, id);
CREATE INDEX ix_events_scope_time ON events USING btree (scope, "time");
CREATE INDEX ix_events_time ON events USING btree ("time");
CREATE INDEX ix_events_type_time ON events USING btree (type, "time");
CREATE INDEX ix_office_floors_node ON office_floors USING btree (speaker_node) WHERE (session_id IS NOT NULL);
CREATE INDEX ix_ptt_participants_connection ON ptt_participants USING btree (connection_id) WHERE (left_at IS NULL);
CREATE INDEX ix_ptt_participants_open ON ptt_participants USING btree (session_id) WHERE (left_at IS NULL);
CREATE INDEX ix_ptt_sessions_office_started ON ptt_sessions USING btree (office, started_at);
CREATE INDEX ix_ptt_sessions_open ON ptt_sessions USING btree (node_id) WHERE (ended_at IS NULL);
CREATE INDEX ix_wlp_last_seen ON webinar_live_presence USING btree (last_seen_at);
CREATE INDEX ix_wus_closed_exited ON webinar_user_sessions USING btree (exited_at) WHERE (exited_at IS NOT NULL);
CREATE INDEX ix_wus_webinar_viewer_stats ON webinar_user_sessions USING btree (webinar_id, viewer_key, entered_at, exited_at, last_heartbeat_at, visible_content_seconds);
CREATE UNIQUE INDEX ux_wus_webinar_session ON webinar_user_sessions USING btree (webinar_id, session_id);
ALTER TABLE ONLY webinar_live_presence
    ADD CONSTRAINT webinar_live_presence_webinar_id_fkey FOREIGN KEY (webinar_id) REFERENCES webinars(id) ON DELETE CASCADE;
ALTER TABLE ONLY webinar_user_sessions
    ADD CONSTRAINT webinar_user_sessions_webinar_id_fkey FOREIGN KEY (webinar_id) REFERENCES webinars(id) ON DELETE CASCADE;
