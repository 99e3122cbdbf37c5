using System.Collections.Concurrent;
using System.Text.Json;
using Heartline.Core.Events;

namespace Heartline.Ptt;

/// <summary>How the module writes its durable events (seed 2.1, 6.2): metadata is a flat JSON object of strings.</summary>
internal static class PttEventRecords
{
    private static readonly ConcurrentDictionary<(string AppType, string Name), string> AutoJoin = new();

    /// <summary>Users whose auto-join metadata is kept; past it, each is serialized when needed (a bound, not an expected size).</summary>
    private const int AutoJoinCacheSize = 50_000;

    public static void Enqueue(IEventLog events, string type, string office, string sessionId, string userId, long time,
        Dictionary<string, string> metadata) =>
        events.Enqueue(new EventRecord(0, type, office, sessionId, userId, time,
            JsonSerializer.Serialize(metadata, PttJsonContext.Default.DictionaryStringString)));

    /// <summary>
    /// The metadata of a listener that joined automatically (app type, name). Hundreds of listeners join per press: it is
    /// built once per user's name and app type and kept, not per press.
    /// </summary>
    public static string AutoJoinMetadata(PttUser user)
    {
        var key = (user.AppType, user.Name);
        if (AutoJoin.TryGetValue(key, out var metadata)) return metadata;
        metadata = JsonSerializer.Serialize(new Dictionary<string, string> { ["app_type"] = user.AppType, ["name"] = user.Name, ["auto"] = "true" },
            PttJsonContext.Default.DictionaryStringString);
        if (AutoJoin.Count < AutoJoinCacheSize) AutoJoin.TryAdd(key, metadata);
        return metadata;
    }
}
