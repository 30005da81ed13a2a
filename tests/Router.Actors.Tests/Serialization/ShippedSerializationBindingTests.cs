using Akka.Configuration;

namespace Router.Actors.Tests.Serialization;

/// <summary>The binding the serializer tests copy must stay the one hocon/akka.conf ships.</summary>
public sealed class ShippedSerializationBindingTests
{
    private static Config Shipped()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "hocon", "akka.conf");
            if (File.Exists(path)) return ConfigurationFactory.ParseString(File.ReadAllText(path));
        }
        throw new FileNotFoundException("hocon/akka.conf was not found above the test's output directory");
    }

    [Fact]
    public void akka_conf_names_the_router_serializer()
    {
        var serializers = Shipped().GetConfig("akka.actor.serializers").Root.GetObject().Items;

        Assert.Equal("Router.Actors.Serialization.RouterJsonSerializer, Router.Actors", serializers["router-json"].GetString());
    }

    [Fact]
    public void akka_conf_binds_persisted_messages_to_the_router_serializer()
    {
        var bindings = Shipped().GetConfig("akka.actor.serialization-bindings").Root.GetObject().Items;

        Assert.Equal("router-json", bindings["Router.Contracts.Messages.IPersistedMessage, Router.Contracts"].GetString());
    }
}
