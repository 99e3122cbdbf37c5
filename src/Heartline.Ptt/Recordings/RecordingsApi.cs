using Heartline.Core.Auth;
using Heartline.Core.Operations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Heartline.Ptt.Recordings;

internal sealed record TransmissionView(string SessionId, string Office, PttUser Speaker, long StartedAt, long DurationMs, long Frames, long Bytes,
    string AudioUrl);

/// <summary>
/// <c>GET /api/ptt/transmissions</c> (an office's recordings, newest first) and <c>/transmissions/{id}/audio</c>
/// (<c>audio/ogg</c>, with Range): scoped like the office's events; another office's answers as unknown.
/// </summary>
internal static class RecordingsApi
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/transmissions", ListAsync).WithName("ListPttTransmissions")
            .WithSummary("An office's recorded transmissions, newest first (before, since: Unix ms; limit ≤ 200).");
        group.MapGet("/transmissions/{id}/audio", AudioAsync).WithName("GetPttTransmissionAudio")
            .WithSummary("A recorded transmission as Ogg Opus (supports Range).");
    }

    private static async Task<Results<Ok<IReadOnlyList<TransmissionView>>, ProblemHttpResult>> ListAsync(HttpContext http, PttStore store,
        string? office, long? before, long? since, int? limit, CancellationToken cancellationToken)
    {
        if (!PttApi.TryObserve(http, office, out var observed, out var problem)) return problem;
        office = observed;
        if (limit is < 1 or > 200) return HttpProblems.BadRequest("limit: 1 to 200");
        var rows = await store.RecordingsAsync(office, before, since, limit ?? 50, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok<IReadOnlyList<TransmissionView>>([.. rows.Select(r => new TransmissionView(r.SessionId, r.Office,
            new PttUser(r.SpeakerUserId, r.SpeakerName, ""), r.StartedAt, r.DurationMs, r.Frames, r.Bytes,
            $"/api/ptt/transmissions/{Uri.EscapeDataString(r.SessionId)}/audio"))]);
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> AudioAsync(HttpContext http, PttStore store, string id,
        CancellationToken cancellationToken)
    {
        if (id.Length > 128) return HttpProblems.BadRequest("id too long");
        if (await store.RecordingAsync(id, cancellationToken).ConfigureAwait(false) is not { } recording
            || !http.GetPrincipal().CanObserve(recording.Office))
            return HttpProblems.NotFound("no such transmission");
        return TypedResults.File(recording.Audio, "audio/ogg", $"ptt-{recording.SessionId}.ogg", enableRangeProcessing: true);
    }
}

/// <summary>Deletes recordings past <c>Ptt:Recordings:KeepHours</c> and each office's oldest beyond its size (every 10 minutes).</summary>
internal sealed class RecordingsPurge(PttStore store, IOptions<PttOptions> options, TimeProvider time) : ISweeper
{
    public string Name => "ptt-recordings";

    public TimeSpan Period => TimeSpan.FromMinutes(10);

    public Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var o = options.Value.Recordings;
        return store.PurgeRecordingsAsync((time.GetUtcNow() - TimeSpan.FromHours(o.KeepHours)).ToUnixTimeMilliseconds(),
            o.MaxMegabytesPerOffice * 1024L * 1024L, cancellationToken);
    }
}
