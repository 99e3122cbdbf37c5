using Heartline.Core.Channels;
using Heartline.Core.Connections;
using Heartline.Core.Modules;
using Heartline.Core.Storage;
using Heartline.Ptt;
using Heartline.Qna;
using Heartline.Voip;
using Heartline.Webinar;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Heartline.Tests.Infrastructure;

/// <summary>The schema of the host the tests run (the core, push-to-talk, webinar, VoIP, Q&amp;A), for databases opened without a server.</summary>
internal static class TestSchema
{
    public static SchemaMigrations Migrations { get; } = new(
    [
        new ModuleMigrations(HeartlineHostExtensions.CoreModule, CoreMigrations.All),
        new ModuleMigrations(PttModule.Name, PttMigrations.All),
        new ModuleMigrations(WebinarModule.Name, WebinarMigrations.All),
        new ModuleMigrations(VoipModule.Name, VoipMigrations.All),
        new ModuleMigrations(QnaModule.Name, QnaMigrations.All),
    ]);

    /// <summary>Every step of every module of the host.</summary>
    public static int StepCount => Migrations.Modules.Sum(m => m.Migrations.Count);

    /// <summary>Creates or upgrades the database's schema as the server does at startup.</summary>
    public static Task MigrateAsync(this IHeartlineDatabase database, TimeProvider? time = null) =>
        DatabaseSteps.MigrateAsync(database, Migrations, time ?? TimeProvider.System, NullLogger.Instance, CancellationToken.None);
}

/// <summary>Channels on one node without a server: the hub over an in-process broker.</summary>
internal static class TestChannels
{
    public static ChannelHub Hub(TimeProvider time, ChannelOptions? options = null)
    {
        var wrapped = Options.Create(options ?? new ChannelOptions());
        return new ChannelHub(wrapped, time, NullLogger<ChannelHub>.Instance, new MemoryBroker(wrapped, time, NullLogger<MemoryBroker>.Instance));
    }

    /// <summary>Subscribes on a hub over the in-process broker, which answers at once.</summary>
    public static SubscribeOutcome Subscribe(this ChannelHub hub, ClientConnection connection, string channel, StreamPosition? since,
        Func<SubscribeOutcome, IReadOnlyList<HistoryEntry>, byte[]> replyFactory)
    {
        var subscribing = hub.SubscribeAsync(connection, channel, since, replyFactory);
        if (!subscribing.IsCompleted) throw new InvalidOperationException("The in-process broker should answer at once.");
        return subscribing.GetAwaiter().GetResult();
    }
}
