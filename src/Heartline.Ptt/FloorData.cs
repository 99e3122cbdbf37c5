using System.Text.Json;
using System.Text.Json.Serialization;

namespace Heartline.Ptt;

/// <summary>
/// What the floor's lease (<c>ptt.floor:{office}</c>) keeps of its holder besides the core's fields: the session, the
/// speaker's name, app type and primary role, and whether a pre-empting press may take it.
/// </summary>
internal sealed record FloorData(string SessionId, string Name, string AppType, string Role, bool? Preemptible)
{
    public const string KeyPrefix = "ptt.floor:";

    public static string Key(string office) => KeyPrefix + office;

    public static string OfficeOf(string key) => key[KeyPrefix.Length..];

    public string Serialize() => JsonSerializer.Serialize(this, FloorDataJsonContext.Default.FloorData);

    /// <summary>
    /// The holder's data. Floors taken over from the office_floors table (ptt step 4) carry no <see cref="Preemptible"/>:
    /// a driver's floor was pre-emptible there.
    /// </summary>
    public static FloorData Parse(string data)
    {
        var parsed = JsonSerializer.Deserialize(data, FloorDataJsonContext.Default.FloorData)
            ?? throw new JsonException("empty floor data");
        return parsed.Preemptible is null ? parsed with { Preemptible = parsed.Role == PttRoles.PickupDriver } : parsed;
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FloorData))]
internal sealed partial class FloorDataJsonContext : JsonSerializerContext;
