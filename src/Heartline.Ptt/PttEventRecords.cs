using System.Text.Json;
using Heartline.Core.Events;

namespace Heartline.Ptt;

/// <summary>How the module writes its durable events (seed 2.1, 6.2): metadata is a flat JSON object of strings.</summary>
internal static class PttEventRecords
{
    public static void Enqueue(IEventLog events, string type, string office, string? sessionId, string userId, long time,
        Dictionary<string, string> metadata) =>
        events.Enqueue(new EventRecord(0, type, office, sessionId, userId, time,
            JsonSerializer.Serialize(metadata, PttJsonContext.Default.DictionaryStringString)));
}
