import { Module, UseGuards, type DynamicModule } from '@nestjs/common';
import {
  Args,
  Field,
  GraphQLModule,
  Mutation,
  ObjectType,
  Parent,
  Query,
  ResolveField,
  Resolver,
  Subscription,
} from '@nestjs/graphql';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import {
  Public,
  RequireAction,
  TinyauthGuard,
  TinyauthIdentity,
  TinyauthModule,
  type TinyauthModuleOptions,
} from 'nestjs-tinyauth';

@ObjectType()
export class Apple {
  @Field()
  name!: string;
}

@ObjectType()
export class Whoami {
  @Field(() => String, { nullable: true })
  who!: string | null;
}

/** A one-shot async iterator (what a subscription resolver returns): one event under `field`. */
async function* once<K extends string, T>(field: K, value: T): AsyncGenerator<Record<K, T>> {
  yield { [field]: value } as Record<K, T>;
}

@Resolver(() => Apple)
@UseGuards(TinyauthGuard)
export class ApplesResolver {
  @Query(() => Apple, { nullable: true })
  @RequireAction('GetApple', 'apples', 'name')
  apple(@Args('name') name: string): Apple {
    return { name };
  }

  @Query(() => [Apple])
  @Public()
  orchard(@Args('count', { type: () => Number }) count: number, @Args('prefix') prefix: string): Apple[] {
    return Array.from({ length: count }, (_, i) => ({ name: `${prefix}${i}` }));
  }

  /** A field of every listed apple: each item is checked, all of them in one call to tinyauth. */
  @ResolveField(() => String, { nullable: true })
  @RequireAction('GetApple', 'apples', (input) => (input.data as Apple).name)
  colour(@Parent() apple: Apple): string {
    return `red ${apple.name}`;
  }

  @Query(() => Whoami)
  @RequireAction('Ping')
  whoami(@TinyauthIdentity() who: string | undefined): Whoami {
    return { who: who ?? null };
  }

  @Mutation(() => Apple, { nullable: true })
  @RequireAction('EatApple', 'apples', 'name')
  eatApple(@Args('name') name: string): Apple {
    return { name };
  }

  @Subscription(() => Apple, { nullable: true })
  @RequireAction('GetApple', 'apples', 'name')
  appleRipened(@Args('name') name: string): AsyncGenerator<{ appleRipened: Apple }> {
    return once('appleRipened', { name });
  }

  /** One event carrying the identity the guard established for the subscription. */
  @Subscription(() => Whoami)
  @RequireAction('Ping')
  pinged(@TinyauthIdentity() who: string | undefined): AsyncGenerator<{ pinged: Whoami }> {
    return once('pinged', { who: who ?? null });
  }
}

/** The resolver above on Apollo (Express) or Mercurius (Fastify), beside the HTTP routes of the guard tests. */
export function graphqlAppModule(
  driver: 'apollo' | 'mercurius',
  options: TinyauthModuleOptions,
  controllers: DynamicModule['controllers'] = [],
  /** Mercurius only: hand the `connection_init` payload to the context as `connectionParams`. */
  mercuriusConnectionParams = true,
) {
  const graphql =
    driver === 'apollo'
      ? GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          autoSchemaFile: true,
          subscriptions: { 'graphql-ws': true },
          // Nest runs guards on @ResolveField() only when asked to.
          fieldResolverEnhancers: ['guards'],
        })
      : GraphQLModule.forRoot<MercuriusDriverConfig>({
          driver: MercuriusDriver,
          autoSchemaFile: true,
          fieldResolverEnhancers: ['guards'],
          // Mercurius loads its default query cache with import(), which Jest's CommonJS runtime cannot do.
          cache: false,
          // graphql-ws on the same /graphql path; the connection_init payload is handed to the resolver
          // context as `connectionParams`, where the guard reads a subscription's credentials.
          subscription: mercuriusConnectionParams
            ? { onConnect: ({ payload }) => ({ connectionParams: payload ?? {} }) }
            : true,
        });
  @Module({
    imports: [TinyauthModule.forRoot(options), graphql],
    controllers,
    providers: [ApplesResolver],
  })
  class GraphqlAppModule {}
  return GraphqlAppModule;
}
