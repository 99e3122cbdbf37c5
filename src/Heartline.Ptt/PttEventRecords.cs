using System.Collections.Concurrent;
using System.Text.Json;
using Heartline.Core.Events;

namespace Heartline.Ptt;

/// <summary>How the module writes its durable events (seed 2.1, 6.2): metadata is a flat JSON object of strings.</summary>
internal static class PttEventRecords
{
    private static readonly ConcurrentDictionary<string, string> AutoJoin = new(StringComparer.Ordinal);

    public static void Enqueue(IEventLog events, string type, string office, string sessionId, string userId, long time,
        Dictionary<string, string> metadata) =>
        events.Enqueue(new EventRecord(0, type, office, sessionId, userId, time,
            JsonSerializer.Serialize(metadata, PttJsonContext.Default.DictionaryStringString)));

    /// <summary>
    /// The metadata of a listener that joined automatically. Hundreds of listeners join per press: it is built once per
    /// app type, not per listener.
    /// </summary>
    public static string AutoJoinMetadata(string appType) => AutoJoin.GetOrAdd(appType, static a =>
        JsonSerializer.Serialize(new Dictionary<string, string> { ["app_type"] = a, ["auto"] = "true" }, PttJsonContext.Default.DictionaryStringString));
}
