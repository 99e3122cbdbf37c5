using Heartline.Core.Storage;

namespace Heartline.Voip;

/// <summary>The VoIP module's schema (docs/voip.md).</summary>
internal static class VoipMigrations
{
    public static readonly Migration[] All =
    [
        new(1, "guests and call records", V1, V1),
    ];

    // Same DDL on both engines: ids are text, times bigint Unix milliseconds.
    private const string V1 =
        """
        -- A party of calls: a guest identity (is_guest = 1: admitted by POST /api/voip/guests, removed by the cleanup
        -- once its reclaim window ended, or by an administrator) or a signed-in user of a tenant (is_guest = 0: written
        -- when it connects). connection_id is the latest connection; disconnected_at is null while it is open.
        CREATE TABLE voip_guests (
            id text PRIMARY KEY,
            tenant text NOT NULL,
            name text NOT NULL,
            is_guest bigint NOT NULL,
            created_at bigint NOT NULL,
            connection_id text NULL,
            connected_at bigint NULL,
            disconnected_at bigint NULL
        );
        CREATE INDEX ix_voip_guests_disconnected ON voip_guests (disconnected_at);
        CREATE INDEX ix_voip_guests_created ON voip_guests (created_at);

        -- One row per call, written with each decision of the call's lease (in its transaction in a cluster).
        CREATE TABLE voip_calls (
            id text PRIMARY KEY,
            tenant text NOT NULL,
            caller_id text NOT NULL,
            callee_id text NOT NULL,
            media text NOT NULL,
            created_at bigint NOT NULL,
            answered_at bigint NULL,
            ended_at bigint NULL,
            end_reason text NULL
        );
        CREATE INDEX ix_voip_calls_caller ON voip_calls (caller_id);
        CREATE INDEX ix_voip_calls_callee ON voip_calls (callee_id);
        CREATE INDEX ix_voip_calls_ended ON voip_calls (ended_at);
        """;
}
