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

/** A one-shot async iterator (what a subscription resolver returns). */
async function* once(apple: Apple): AsyncGenerator<{ appleRipened: Apple }> {
  yield { appleRipened: apple };
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
    return once({ name });
  }
}

/** The resolver above on Apollo (Express) or Mercurius (Fastify), beside the HTTP routes of the guard tests. */
export function graphqlAppModule(
  driver: 'apollo' | 'mercurius',
  options: TinyauthModuleOptions,
  controllers: DynamicModule['controllers'] = [],
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
        });
  @Module({
    imports: [TinyauthModule.forRoot(options), graphql],
    controllers,
    providers: [ApplesResolver],
  })
  class GraphqlAppModule {}
  return GraphqlAppModule;
}
